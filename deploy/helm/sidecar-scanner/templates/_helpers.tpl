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

{{/* The ConfigMap of the gate's waivers or attestations (kind: "waivers" or "attestations"): results.<kind>.configMap,
     else <release>-<kind> when common-scanner.<kind>.content is set, else nothing. Both given: an error. */}}
{{- define "sidecar-scanner.riskConfigMap" -}}
{{- $own := (index .root.Values.results .kind).configMap -}}
{{- $content := (index .root.Values "common-scanner" .kind).content -}}
{{- if and $own $content }}{{ fail (printf "results.%s.configMap and common-scanner.%s.content: give one, not both" .kind .kind) }}{{ end -}}
{{- if $own }}{{ $own }}{{ else if $content }}{{ printf "%s-%s" .root.Release.Name .kind }}{{ end -}}
{{- end }}
