#!/usr/bin/env bash
# Draws the charts in docs/images from the real data in ../shared/datasets,
# on a stack of its own (build/images-stack, port 18195), taken down at the
# end. online-ads (five placements, revenue and clicks) for ROI and budget;
# the Google Ads and Meta exports (reach and clicks) for reach and CTR.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${MLDASH_DATASETS:-$SRC/../shared/datasets}
OUT=$SRC/docs/images
export MLDASH_VAR_DIR=$SRC/build/images-stack MLDASH_PORT=18195 MLDASH_WORKERS=1
export MLDASH_BUILD_DIR=${MLDASH_BUILD_DIR:-$SRC/build}
DEVSTACK=$SRC/deploy/devstack.sh
MLDASH=$MLDASH_BUILD_DIR/cli/mldash
trap '"$DEVSTACK" down >/dev/null 2>&1 || true' EXIT
"$DEVSTACK" up >/dev/null
eval "$("$DEVSTACK" paths)"
export MLDASH_CONFIG=$CONF
reset() {
	mariadb --no-defaults --socket="$DB_SOCKET" -u "$(id -un)" mldash -e \
		"DELETE FROM ml_runs; DELETE FROM campaign_daily; DELETE FROM campaigns; DELETE FROM ingest_files"
}
reset
"$MLDASH" import "$DATA/online-ads/online-ads-generic.csv" >/dev/null
"$MLDASH" sync ml >/dev/null
for chart in roi-forecast roi-timeseries budget-recommendation budget-curves; do
	"$MLDASH" render "$chart" -o "$OUT/$chart.png"
done
"$MLDASH" render roi-timeseries --channel ghi --theme dark --width 1000 --height 500 -o "$OUT/roi-timeseries-ghi-dark.png"
reset
"$MLDASH" import "$DATA/exports/google_ads/cocoon_campaign_daily.csv" "$DATA/exports/meta/cocoon_campaign_daily.csv" >/dev/null
"$MLDASH" sync ml >/dev/null
"$MLDASH" render reach-ctr --channel meta -o "$OUT/reach-ctr.png"
ls -l "$OUT"/*.png
