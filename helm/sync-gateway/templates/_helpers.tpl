{{/* Chart name, truncated to the 63 characters Kubernetes allows in names. */}}
{{- define "sync-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full resource name: release and chart name, unless the release name already contains the chart name. */}}
{{- define "sync-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The StatefulSet's headless governing Service. */}}
{{- define "sync-gateway.headlessServiceName" -}}
{{- printf "%s-headless" (include "sync-gateway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sync-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Standard app.kubernetes.io labels. */}}
{{- define "sync-gateway.labels" -}}
helm.sh/chart: {{ include "sync-gateway.chart" . }}
{{ include "sync-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sync-gateway
{{- end }}

{{/* Labels that select the pods; never change them after the first release (workload selectors are immutable). */}}
{{- define "sync-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sync-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sync-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sync-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
