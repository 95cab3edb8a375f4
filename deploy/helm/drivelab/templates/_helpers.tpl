{{/* Name of the release's objects: <release>-drivelab, or the release name when it says drivelab already. */}}
{{- define "drivelab.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "drivelab.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector of one component's pods: dict "root" $ "component" "features" */}}
{{- define "drivelab.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "drivelab.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The Kafka workers: the topic each consumes and its consumer group, as in the code
(server/observability/pipeline.ts WATCHED_GROUPS; tests/unit/deploy/helm-chart.test.ts checks they agree).
The group name carries the topic prefix, as consumerGroup() does.
*/}}
{{- define "drivelab.kafkaWorkers" -}}
sim: { topic: dl.sim.commands, group: drivelab-sim }
features: { topic: dl.telemetry, group: drivelab-features }
inference: { topic: dl.features, group: drivelab-inference }
recorder: { topic: dl.telemetry, group: drivelab-recorder }
{{- end -}}

{{/* Partitions of a topic: dict "root" $ "topic" "dl.telemetry" */}}
{{- define "drivelab.partitions" -}}
{{- $k := .root.Values.kafka -}}
{{- if eq .topic "dl.models" -}}1{{- else -}}{{- index $k.topicPartitions .topic | default $k.partitions | int -}}{{- end -}}
{{- end -}}

{{/* KAFKA_TOPIC_PARTITIONS from the per-topic map, sorted for stable output. */}}
{{- define "drivelab.topicPartitionsEnv" -}}
{{- $parts := list -}}
{{- range $t := keys .Values.kafka.topicPartitions | sortAlpha -}}
{{- $parts = append $parts (printf "%s=%v" $t (index $.Values.kafka.topicPartitions $t)) -}}
{{- end -}}
{{- join "," $parts -}}
{{- end -}}

{{/* Seconds Kubernetes waits after SIGTERM: longer than preStop + the process's drain. */}}
{{- define "drivelab.grace" -}}
{{- add .root.Values.preStopSeconds .spec.drainSeconds 15 -}}
{{- end -}}

{{- define "drivelab.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s: the secret's name is required" .what) .ref.name | quote }}
      key: {{ required (printf "%s: the secret's key is required" .what) .ref.key | quote }}
{{- end -}}

{{/* Environment of every process: dict "root" $ "component" "web" "spec" .Values.web */}}
{{- define "drivelab.env" -}}
{{- $v := .root.Values -}}
- name: NODE_ENV
  value: production
- name: DRIVELAB_SERVICE
  value: {{ .component | quote }}
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: WORKER_DRAIN_S
  value: {{ .spec.drainSeconds | quote }}
- name: KAFKA_BROKERS
  value: {{ $v.kafka.brokers | quote }}
- name: KAFKA_CLIENT_ID
  value: {{ printf "drivelab-%s" .component | quote }}
- name: KAFKA_TOPIC_PREFIX
  value: {{ $v.kafka.topicPrefix | quote }}
- name: KAFKA_PARTITIONS
  value: {{ $v.kafka.partitions | quote }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ include "drivelab.topicPartitionsEnv" .root | quote }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ $v.kafka.replicationFactor | quote }}
{{- if $v.kafka.tls.enabled }}
- name: KAFKA_SSL
  value: "1"
{{- if $v.kafka.tls.caSecret.name }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/drivelab/kafka-ca/ca.crt
{{- end }}
{{- if $v.kafka.tls.clientSecret.name }}
- name: KAFKA_SSL_CERT_FILE
  value: /etc/drivelab/kafka-client/tls.crt
- name: KAFKA_SSL_KEY_FILE
  value: /etc/drivelab/kafka-client/tls.key
{{- end }}
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username is required with a SASL mechanism" $v.kafka.sasl.username | quote }}
{{ include "drivelab.secretEnv" (dict "name" "KAFKA_SASL_PASSWORD" "ref" $v.kafka.sasl.passwordSecret "what" "kafka.sasl.passwordSecret") }}
{{- end }}
{{ include "drivelab.secretEnv" (dict "name" "DATABASE_URL" "ref" $v.database.urlSecret "what" "database.urlSecret") }}
{{ include "drivelab.secretEnv" (dict "name" "REDIS_URL" "ref" $v.redis.urlSecret "what" "redis.urlSecret") }}
{{ include "drivelab.secretEnv" (dict "name" "NEXTAUTH_SECRET" "ref" $v.auth.secret "what" "auth.secret") }}
{{- if $v.auth.publicUrl }}
- name: NEXTAUTH_URL
  value: {{ $v.auth.publicUrl | quote }}
- name: PUBLIC_URL
  value: {{ $v.auth.publicUrl | quote }}
{{- end }}
{{- with $v.objectStore.s3 }}
{{- if .endpoint }}
- name: S3_ENDPOINT
  value: {{ .endpoint | quote }}
- name: S3_BUCKET
  value: {{ .bucket | quote }}
- name: S3_REGION
  value: {{ .region | quote }}
{{- if .credentialsSecret.name }}
{{ include "drivelab.secretEnv" (dict "name" "S3_ACCESS_KEY_ID" "ref" (dict "name" .credentialsSecret.name "key" .credentialsSecret.accessKeyIdKey) "what" "objectStore.s3.credentialsSecret") }}
{{ include "drivelab.secretEnv" (dict "name" "S3_SECRET_ACCESS_KEY" "ref" (dict "name" .credentialsSecret.name "key" .credentialsSecret.secretAccessKeyKey) "what" "objectStore.s3.credentialsSecret") }}
{{- end }}
{{- end }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "drivelab.kafkaVolumeMounts" -}}
{{- $k := .Values.kafka -}}
{{- if and $k.tls.enabled $k.tls.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/drivelab/kafka-ca
  readOnly: true
{{- end }}
{{- if and $k.tls.enabled $k.tls.clientSecret.name }}
- name: kafka-client
  mountPath: /etc/drivelab/kafka-client
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "drivelab.kafkaVolumes" -}}
{{- $k := .Values.kafka -}}
{{- if and $k.tls.enabled $k.tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ $k.tls.caSecret.name | quote }}
    items:
      - key: {{ $k.tls.caSecret.key | quote }}
        path: ca.crt
{{- end }}
{{- if and $k.tls.enabled $k.tls.clientSecret.name }}
- name: kafka-client
  secret:
    secretName: {{ $k.tls.clientSecret.name | quote }}
    items:
      - key: {{ $k.tls.clientSecret.certKey | quote }}
        path: tls.crt
      - key: {{ $k.tls.clientSecret.keyKey | quote }}
        path: tls.key
{{- end }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{/* Every component and its spec, web first: a list of dicts name/spec. */}}
{{- define "drivelab.components" -}}
- name: web
  spec: {{ toJson .Values.web }}
{{- range $name := list "sim" "features" "inference" "recorder" "trainer" }}
- name: {{ $name }}
  spec: {{ toJson (index $.Values.workers $name) }}
{{- end }}
{{- end -}}

{{/* Replica cap of a Kafka worker: its topic's partitions; a copy beyond them would idle. */}}
{{- define "drivelab.checkCap" -}}
{{- $w := index (include "drivelab.kafkaWorkers" .root | fromYaml) .name -}}
{{- if $w -}}
{{- $parts := include "drivelab.partitions" (dict "root" .root "topic" $w.topic) | int -}}
{{- $max := .max | int -}}
{{- if gt $max $parts -}}
{{- fail (printf "workers.%s: at most %d copies (%s has %d partitions), got %d" .name $parts $w.topic $parts $max) -}}
{{- end -}}
{{- end -}}
{{- end -}}
