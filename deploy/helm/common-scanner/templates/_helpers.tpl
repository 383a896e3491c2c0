{{- define "common-scanner.namespace" -}}
{{- required "scanner-infrastructure.targetNamespace is required" (index .Values "scanner-infrastructure" "targetNamespace") -}}
{{- end }}
