#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's fixtures: results files for `results`,
# threshold files for `threshold_file`, their one-line forms for `threshold_inline`,
# waiver and attestation files (good and bad, each kind in both corpora) for `waivers` and
# `attestations`.
# Corpora are gitignored; re-running adds the seeds again (libFuzzer names files by content,
# so nothing is duplicated).
#
# Results files larger than MAX_LEN (the -max_len the runs use) are cut down to their first
# few controls per profile, so every fixture seeds a valid input small enough to fuzz quickly
# (libFuzzer would otherwise truncate them into invalid JSON).
set -euo pipefail
cd "$(dirname "$0")"
MAX_LEN=${MAX_LEN:-16384}

mkdir -p corpus/results corpus/threshold_file corpus/threshold_inline corpus/baseline corpus/waivers corpus/attestations

find ../fixtures/results -name '*.json' -print0 | sort -z | while IFS= read -r -d '' file; do
  name=$(echo "${file#../fixtures/results/}" | tr / _)
  if [ "$(wc -c < "$file")" -le "$MAX_LEN" ]; then
    cp "$file" "corpus/results/$name"
  else
    python3 - "$file" "corpus/results/small_$name" "$MAX_LEN" <<'PY'
import json, sys

src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    doc = json.load(open(src, encoding="utf-8-sig"))
except ValueError:
    sys.exit(0)  # not JSON: the small broken fixtures already cover that

def shrink(value, keep, key=None):
    """Every string cut to 160 characters, every list (but `profiles`) to a few items."""
    if isinstance(value, str):
        return value[:160]
    if isinstance(value, list):
        items = value if key == "profiles" else value[:keep]
        return [shrink(v, keep) for v in items]
    if isinstance(value, dict):
        return {k: shrink(v, keep, k) for k, v in value.items()}
    return value

for keep in (3, 2, 1):
    small = shrink(doc, keep)
    text = json.dumps(small, ensure_ascii=False, separators=(",", ":"))
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate: keep it as the escape it was
        data = json.dumps(small, separators=(",", ":")).encode()
    if len(data) <= limit:
        open(dst, "wb").write(data)
        break
PY
  fi
done

find ../fixtures/thresholds ../thresholds \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' \) -print0 |
  sort -z | while IFS= read -r -d '' file; do
  name=$(echo "${file#../}" | tr / _)
  cp "$file" "corpus/threshold_file/$name"
done

# Inline seeds: saf's syntax, the bare form, and a few edge cases of each.
i=0
while IFS= read -r line; do
  i=$((i + 1))
  printf '%s' "$line" > "corpus/threshold_inline/seed_$i"
done <<'SEEDS'
{compliance.min: 80}, {failed.critical.max: 0}
compliance.min: 80, failed.total.max: 2
{failed.high.controls: [V-1, V-2]}
{compliance: {min: 80, max: 100}}
passed.total.min: 1, no_impact.none.max: 0, error.total.max: 0, skipped.low.max: 3
{"compliance.min": 50}
{failed.critical.max: -1}
compliance.min: 101
SEEDS

# Baselines: the committed baseline files and JSON report, and a few small results files (plain results are a
# baseline too; the results corpus's cut-down copies are reused).
cp ../fixtures/baselines/*.json corpus/baseline/
for file in corpus/results/small_red_hat_good.json corpus/results/small_synthetic_edge_cases.json corpus/results/small_rhel8_sample_oneOfEachControlStatus.json; do
  [ -f "$file" ] && cp "$file" "corpus/baseline/results_$(basename "$file")"
done

# Waivers and attestations: both kinds seed both targets, since each loader must also refuse
# the other kind's shape cleanly.
# (The scan-time waiver fixtures sit in a subdirectory: their waiver file seeds too.)
for file in ../fixtures/waivers/* ../fixtures/waivers/inspec-scan-time/*.yml ../fixtures/attestations/*; do
  [ -f "$file" ] || continue
  name=$(echo "${file#../fixtures/}" | tr / _)
  cp "$file" "corpus/waivers/$name"
  cp "$file" "corpus/attestations/$name"
done

for target in results threshold_file threshold_inline baseline waivers attestations; do
  echo "corpus/$target: $(find "corpus/$target" -type f | wc -l) seeds"
done
