{{/* Labels on every object. Context: a dict with Release and Chart, or a chart's root context. */}}
{{- define "scanner-infrastructure.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: scangate
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/*
The Role and RoleBinding that `scangate fetch` needs, and nothing more:
  pods       get, list, watch   find the pods and wait until they are Ready
  pods/exec  create, get        exec `cat` in the scanner container. Exec over WebSocket (kube-rs,
                                kubectl >= 1.30) is an HTTP GET, authorized as `get` before
                                Kubernetes 1.35 and as `get` plus `create` since; SPDY is `create`.
Both rules carry resourceNames when the pods are named.
Context: dict "values" (this chart's values) "extraPodNames" (list) "Release" "Chart".
sidecar-scanner renders it itself (global.scangate.rbacFromParent) so that its test pod's name,
which this chart cannot see, joins resourceNames.
*/}}
{{- define "scanner-infrastructure.rbac" -}}
{{- $v := .values -}}
{{- $names := concat ($v.rbac.resourceNames | default list) (.extraPodNames | default list) | uniq -}}
{{- $named := and $v.rbac.useResourceNames (not $v.rbac.useLabelSelector) (gt (len $names) 0) -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $v.rbac.roleName }}
  namespace: {{ $v.targetNamespace }}
  labels:
    {{- include "scanner-infrastructure.labels" . | nindent 4 }}
  annotations:
    {{- if $named }}
    scangate/rbac-scope: {{ printf "pods %s" (join ", " $names) | quote }}
    {{- else if $v.rbac.useLabelSelector }}
    scangate/rbac-scope: {{ printf "every pod of %s (selected at fetch time by label: RBAC cannot filter by label)" $v.targetNamespace | quote }}
    {{- else }}
    scangate/rbac-scope: {{ printf "every pod of %s (no pod names given)" $v.targetNamespace | quote }}
    {{- end }}
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list, watch]
    {{- if $named }}
    resourceNames: {{ toJson $names }}
    {{- end }}
  - apiGroups: [""]
    resources: [pods/exec]
    verbs: [create, get]
    {{- if $named }}
    resourceNames: {{ toJson $names }}
    {{- end }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $v.rbac.roleBindingName }}
  namespace: {{ $v.targetNamespace }}
  labels:
    {{- include "scanner-infrastructure.labels" . | nindent 4 }}
subjects:
  - kind: ServiceAccount
    name: {{ $v.serviceAccount.name }}
    namespace: {{ $v.targetNamespace }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $v.rbac.roleName }}
{{- end }}
