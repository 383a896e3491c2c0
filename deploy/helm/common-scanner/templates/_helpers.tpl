{{- define "common-scanner.namespace" -}}
{{- required "scanner-infrastructure.targetNamespace is required" (index .Values "scanner-infrastructure" "targetNamespace") -}}
{{- end }}

{{/* One ConfigMap data entry: key, and content as a file's text (a string, kept byte for byte) or as
     YAML written in values (a mapping or list, written out as YAML). */}}
{{- define "common-scanner.fileData" -}}
{{- $text := .content -}}
{{- if not (kindIs "string" $text) }}{{ $text = printf "%s\n" (toYaml $text) }}{{ end -}}
{{- toYaml (dict .key $text) -}}
{{- end }}
