{{/* The release's full name, at most 40 characters so that "<name>-engine-headless" stays a valid DNS label. */}}
{{- define "sagalog.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sagalog.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component (ingest, engine): call with (dict "ctx" $ "component" "engine"). */}}
{{- define "sagalog.selector" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sagalog.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "sagalog.applicationId" -}}
{{ .Values.applicationId | default (include "sagalog.fullname" .) }}
{{- end -}}

{{- define "sagalog.authSecret" -}}
{{ .Values.auth.existingSecret | default (printf "%s-auth" (include "sagalog.fullname" .)) }}
{{- end -}}

{{/* Arguments ingest and engine share: Kafka, topics, HTTP, tokens. */}}
{{- define "sagalog.commonArgs" -}}
- --bootstrap={{ .Values.kafka.bootstrap }}
- --host=0.0.0.0
- --port={{ .Values.http.port }}
- --topic-prefix={{ .Values.topics.prefix }}
{{- if .Values.kafka.config }}
- --kafka-config=/etc/sagalog/kafka/client.properties
{{- end }}
{{- if .Values.auth.enabled }}
- --tokens=/etc/sagalog/auth/tokens
{{- else }}
- --no-auth
{{- end }}
{{- range .Values.http.extraArgs }}
- {{ . }}
{{- end }}
{{- end -}}

{{/* Environment both components get: who the pod is (for --advertised-url and --instance-id) and JVM options. */}}
{{- define "sagalog.env" -}}
- name: POD_NAME
  valueFrom: {fieldRef: {fieldPath: metadata.name}}
- name: POD_NAMESPACE
  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
- name: POD_IP
  valueFrom: {fieldRef: {fieldPath: status.podIP}}
{{- end -}}

{{/* Volumes both components mount: the auth Secret, the Kafka client config, Kafka secrets, a writable /tmp. */}}
{{- define "sagalog.volumes" -}}
- name: auth
  secret:
    secretName: {{ include "sagalog.authSecret" . }}
    defaultMode: 0400
{{- if .Values.kafka.config }}
- name: kafka-config
  configMap:
    name: {{ include "sagalog.fullname" . }}-kafka
{{- end }}
{{- range .Values.kafka.secretMounts }}
- name: {{ .name }}
  secret:
    secretName: {{ .secretName }}
    defaultMode: 0400
{{- end }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "sagalog.volumeMounts" -}}
- name: auth
  mountPath: /etc/sagalog/auth
  readOnly: true
{{- if .Values.kafka.config }}
- name: kafka-config
  mountPath: /etc/sagalog/kafka
  readOnly: true
{{- end }}
{{- range .Values.kafka.secretMounts }}
- name: {{ .name }}
  mountPath: {{ .mountPath }}
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Probes on the node's own health routes (GET /health/live, /health/ready) on the http port. */}}
{{- define "sagalog.probes" -}}
livenessProbe:
  httpGet: {path: /health/live, port: http}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /health/ready, port: http}
  # A paused instance never answers: out after at most 2 s x 2 + 1 s = 5 s (docs/operations.md).
  periodSeconds: 2
  timeoutSeconds: 1
  failureThreshold: 2
{{- end -}}


{{/* auth.tokens as the token file has them: '<token> <role>,<role>' a line. */}}
{{- define "sagalog.tokenLines" -}}
{{- range .Values.auth.tokens }}
{{ .token }} {{ join "," .roles }}
{{- end }}
{{- end -}}
