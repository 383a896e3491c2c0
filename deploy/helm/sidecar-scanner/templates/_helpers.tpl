{{- define "sidecar-scanner.namespace" -}}
{{- required "common-scanner.scanner-infrastructure.targetNamespace is required" (index .Values "common-scanner" "scanner-infrastructure" "targetNamespace") -}}
{{- end }}

{{/* Selects the test pod (NetworkPolicy); the pod carries both labels. */}}
{{- define "sidecar-scanner.selector" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: test-pod
{{- end }}

{{/* Profile paths for SCANNER_PROFILES, colon-separated. */}}
{{- define "sidecar-scanner.profilePaths" -}}
{{- $paths := list -}}
{{- if .Values.profiles.default.enabled }}{{ $paths = append $paths .Values.profiles.default.path }}{{ end -}}
{{- range .Values.profiles.custom }}{{ $paths = append $paths (required "profiles.custom[].path is required" .path) }}{{ end -}}
{{- join ":" $paths -}}
{{- end }}
