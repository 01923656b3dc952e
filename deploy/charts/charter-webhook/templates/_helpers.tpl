{{- define "charter-webhook.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "charter-webhook.selectorLabels" -}}
app.kubernetes.io/name: charter-webhook
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "charter-webhook.labels" -}}
{{ include "charter-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: ai-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "charter-webhook.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "charter-webhook.serviceHost" -}}
{{ include "charter-webhook.fullname" . }}.{{ .Release.Namespace }}.svc
{{- end -}}
