import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Many Helm runs in one JVM (the JVM and Helm's native library load once):
 *   HelmTool <release> <namespace> <out-dir> <job>...
 * where each job is "lint=<chart>" (helm lint --strict) or "<chart>=<values.yaml or ->"
 * (helm template). Job n writes <out-dir>/<n>.yaml (rendered or lint messages) or <n>.error.
 */
public class HelmTool {
  public static void main(String[] args) throws Exception {
    String release = args[0];
    String namespace = args[1];
    Path out = Paths.get(args[2]);
    Files.createDirectories(out);
    for (int i = 3; i < args.length; i++) {
      int n = i - 3;
      int eq = args[i].indexOf('=');
      String left = args[i].substring(0, eq);
      String right = args[i].substring(eq + 1);
      try {
        if (left.equals("lint")) {
          LintResult r = new Helm(Paths.get(right)).lint().strict().call();
          String messages = String.join("\n", r.getMessages());
          Files.writeString(out.resolve(n + (r.isFailed() ? ".error" : ".yaml")), messages);
          continue;
        }
        TemplateCommand t =
            new Helm(Paths.get(left)).template().withName(release).withNamespace(namespace).withKubeVersion("1.30.0");
        if (!right.equals("-")) t = t.withValuesFile(Paths.get(right));
        Files.writeString(out.resolve(n + ".yaml"), t.call());
      } catch (Exception e) {
        Files.writeString(out.resolve(n + ".error"), String.valueOf(e.getMessage()));
      }
    }
  }
}
