/**
 * A small labelled table for training tests: 8 vehicles, 60 rows each; the odd vehicles run hot
 * (temperature +15) from t = 30, labelled `fault`. No imports, so browser tests can use it too.
 */
export function labelledTable(): string {
  const lines = ['vehicle,t,temp,vib,label'];
  for (let v = 0; v < 8; v++) {
    for (let t = 0; t < 60; t++) {
      const fault = v % 2 === 1 && t >= 30;
      lines.push(
        `v${v},${t},${(90 + Math.sin(t + v) + (fault ? 15 : 0)).toFixed(3)},${(Math.cos(t * v) * 0.5).toFixed(3)},${fault ? 'fault' : 'normal'}`,
      );
    }
  }
  return lines.join('\n');
}
