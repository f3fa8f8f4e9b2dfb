#!/usr/bin/env bash
# screenshots.sh: every screen of the desktop app, at 1280×800 and 1920×1080,
# light and dark, taken the same way each time so that two runs (before and
# after a change) can be laid side by side. `make screenshots` runs it.
#
#   scripts/screenshots.sh [-b BINARY] [-c CLI] [-o DIR] [-p PREFIX]
#                          [-s "1280x800 1920x1080"] [-t "light dark"] [SCENE...]
#
# Each shot is DIR/PREFIX-SCENE-SIZE-THEME.png. With no SCENE, every scene runs.
# The app runs under its own Xvfb with an empty HOME (no saved preferences), the
# demo, one saved profile on a dead port, and one with a wrong token against a
# separate demo server. It is driven with xdotool at positions of the app's own
# layout (the window sits at 0,0: Xvfb has no window manager).
# Needs: xvfb-run, xdotool, ImageMagick (import); pngquant shrinks the files when
# installed.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
BIN=$here/bin/feedscope
CLI=$here/bin/feedscope-cli
OUT=$here/docs/polish
PREFIX=after
SIZES="1280x800 1920x1080"
THEMES="light dark"
ALL_SCENES="main filter subscriptions composer map alerts failing menu-file menu-view toggle settings about shortcuts rules clear form-new form-gotham form-hypothesis form-isymphony form-misskey form-websocket export replay"

if [ "${1:-}" = --inside ]; then
	shift
	INSIDE=1
fi
while getopts b:c:o:p:s:t: opt; do
	case $opt in
	b) BIN=$(realpath "$OPTARG") ;;
	c) CLI=$(realpath "$OPTARG") ;;
	o) OUT=$(realpath -m "$OPTARG") ;;
	p) PREFIX=$OPTARG ;;
	s) SIZES=$OPTARG ;;
	t) THEMES=$OPTARG ;;
	*) sed -n '2,16p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SCENES=${*:-$ALL_SCENES}

if [ -z "${INSIDE:-}" ]; then
	for tool in xvfb-run xdotool import; do
		command -v $tool >/dev/null || { echo "screenshots: $tool is missing (make deps installs it)" >&2; exit 1; }
	done
	[ -x "$BIN" ] && [ -x "$CLI" ] || { echo "screenshots: build first (make build)" >&2; exit 1; }
	mkdir -p "$OUT"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# A recording for the replay scene, made once for every size and theme.
	export REC=$work/vessels.ndjson
	"$CLI" tail --demo --dialect gotham --sub '{}' --duration 6s --quiet --record "$REC" >/dev/null
	for size in $SIZES; do
		for theme in $THEMES; do
			echo "screenshots: $size $theme"
			# xvfb-run -a can pick a display another run is starting on: try again.
			for attempt in 1 2 3; do
				rc=0
				xvfb-run -a -s "-screen 0 ${size}x24" "$0" --inside -b "$BIN" -c "$CLI" -o "$OUT" -p "$PREFIX" -s "$size" -t "$theme" $SCENES || rc=$?
				[ $rc = 0 ] || [ $rc = 2 ] && break
				echo "screenshots: failed ($rc), again ($attempt)" >&2
				sleep 2
			done
			[ $rc = 0 ] || exit $rc
		done
	done
	if command -v pngquant >/dev/null; then
		pngquant --force --skip-if-larger --ext .png --quality 70-95 "$OUT"/"$PREFIX"-*.png || true
	fi
	ls -l "$OUT"/"$PREFIX"-*.png | awk '{s+=$5} END {printf "screenshots: %d files, %.1f MB\n", NR, s/1e6}'
	exit 0
fi

# --- inside Xvfb: one size, one theme ---------------------------------------------------
# Exit 3: the display or the window is not there (the caller tries again, on
# another display).
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
xdotool getdisplaygeometry >/dev/null 2>&1 || exit 3
W=${SIZES%x*}
H=${SIZES#*x}
THEME=$THEMES
work=$(mktemp -d)
app_pid=""
server_pid=""
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# A demo server of our own for the wrong-token profile (the app's demo port
# changes every run, this one is known before the app starts).
"$CLI" demo-server >"$work/server.json" 2>/dev/null &
server_pid=$!
for _ in $(seq 100); do grep -q listen "$work/server.json" 2>/dev/null && break; sleep 0.1; done
listen=$(sed -n 's/.*"listen":"\([^"]*\)".*/\1/p' "$work/server.json")
[ -n "$listen" ] || { echo "screenshots: the demo server did not start" >&2; exit 1; }

# Profiles a user would have besides the demo: one on a port nothing listens on
# (port 9, discard), one whose token the server refuses (the demo refuses "bad").
seed_home() {
	local home=$1 dir=$1/.config/fyne/io.github.feedscope
	mkdir -p "$dir"
	cat >"$dir/profiles.json" <<EOF
{"version":1,"profiles":[
 {"name":"staging-misskey","dialect":"misskey","url":"ws://127.0.0.1:9/streaming","autoConnect":true,"subs":[{"channel":"localTimeline"}]},
 {"name":"team-misskey","dialect":"misskey","url":"ws://$listen/streaming","autoConnect":true}
]}
EOF
	echo '{"team-misskey/token": "bad"}' >"$dir/secrets.json"
	chmod 600 "$dir/secrets.json"
}

# launch starts the app afresh (empty preferences, the theme asked for) and waits
# until every profile has said open or failed, then for the first rows.
launch() {
	stop_app
	local home=$work/home-$RANDOM
	seed_home "$home"
	HOME=$home LANG=en_US.UTF-8 FYNE_THEME=$THEME "$BIN" --demo "$@" >"$work/app.log" 2>&1 &
	app_pid=$!
	local wid=""
	for _ in $(seq 200); do
		wid=$(xdotool search --name '^Feedscope$' 2>/dev/null | head -1) && [ -n "$wid" ] && break
		sleep 0.1
	done
	if [ -z "$wid" ]; then
		echo "screenshots: no window" >&2
		tail -5 "$work/app.log" >&2
		exit 3
	fi
	# The window takes the size once it is mapped: ask until it has it.
	for _ in $(seq 50); do
		xdotool windowsize "$wid" "$W" "$H" 2>/dev/null || true
		sleep 0.2
		[ "$(xdotool getwindowgeometry "$wid" 2>/dev/null | sed -n 's/.*Geometry: //p')" = "${W}x${H}" ] && break
	done
	for _ in $(seq 200); do
		[ "$(grep -c 'feedscope: demo-.*: open: ' "$work/app.log")" -ge 5 ] && break
		sleep 0.1
	done
	# A few seconds of live data: the demo's feeds tick about once a second.
	sleep 4
}

stop_app() {
	if [ -n "$app_pid" ]; then
		kill "$app_pid" 2>/dev/null || true
		wait "$app_pid" 2>/dev/null || true
		app_pid=""
	fi
}

click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.8}"; }
key() { xdotool key "$@"; sleep 0.6; }
shot() {
	local f=$OUT/$PREFIX-$1-${W}x${H}-$THEME.png
	import -window root "$f"
	echo "  $f"
}

# Positions in the app's layout: the sidebar is a fifth of the width, the tabs
# follow it, the toolbar's buttons are laid from the left and the right edges.
side=$((W / 5 + 2))
tab_events=$((side + 52)) tab_subs=$((side + 162)) tab_composer=$((side + 290)) tab_map=$((side + 385)) tab_alerts=$((side + 470))
tab_y=97
centre_right=$((side + (W - side) * 74 / 100)) # the edge between the tabs and the detail pane
pause_x=340 bar_y=53
filter_x=$((side + 300)) filter_y=137 # the filter row above the table
table_x=$((side + 300))
row() { echo $((190 + 20 * $1)); } # y of the table's row n (0: the first)
side_row() { echo $((175 + 39 * $1)); } # y of the sidebar's line n under All profiles
edit_y=$((H - 62))
menu() { click "$1" 14 0.6; } # File 27, Edit 70, View 118, Help 168
menu_item() { echo $((45 + 39 * $1)); }

# The sidebar, sorted: demo-gotham (+1 sub), demo-hypothesis (+1), demo-isymphony,
# demo-misskey (+2), demo-websocket (+1), staging-misskey (+1), team-misskey.
declare -A line=([demo-gotham]=0 [demo-hypothesis]=2 [demo-isymphony]=4 [demo-misskey]=5 [demo-websocket]=8 [staging-misskey]=10 [team-misskey]=12)

# ensure_main leaves the window as the main scene has it: live, paused, one row
# selected. Scenes after it share that window; a dialog scene starts afresh.
state=""
ensure_main() {
	[ "$state" = main ] && return
	launch
	click $pause_x $bar_y
	click $table_x "$(row $(((H - 260) / 40)))"
	state=main
}

scene() {
	case $1 in
	main) ensure_main; shot main ;;
	filter)
		ensure_main
		click $filter_x $filter_y 0.3
		xdotool type --delay 30 'kind:note'
		sleep 0.8
		click $table_x "$(row 0)"
		shot filter
		click $filter_x $filter_y 0.3
		key ctrl+a BackSpace Escape ;;
	subscriptions)
		ensure_main
		click $tab_subs $tab_y
		click 120 "$(side_row ${line[demo-misskey]})"
		shot subscriptions ;;
	composer)
		ensure_main
		click $tab_composer $tab_y
		shot composer ;;
	map)
		ensure_main
		click 130 136
		click $tab_map $tab_y 2
		shot map ;;
	alerts)
		ensure_main
		click $tab_alerts $tab_y
		shot alerts ;;
	failing)
		ensure_main
		click $tab_events $tab_y
		click 120 "$(side_row ${line[staging-misskey]})"
		shot failing-deadport
		click 120 "$(side_row ${line[team-misskey]})"
		shot failing-token
		click 130 136 ;;
	menu-file) ensure_main; menu 27; shot menu-file; key Escape ;;
	menu-view) ensure_main; menu 118; shot menu-view; key Escape ;;
	toggle) ensure_main; key ctrl+t; sleep 1.5; shot toggled; key ctrl+t ;; # a whole repaint
	# Dialogs are modal and not all of them close on a key: a fresh window for each.
	settings) state=dialog; launch; menu 70; click 100 "$(menu_item 0)"; shot settings ;;
	about) state=dialog; launch; menu 168; click 200 "$(menu_item 1)"; shot about ;;
	shortcuts) state=dialog; launch; menu 168; click 200 "$(menu_item 0)"; shot shortcuts ;;
	rules)
		state=dialog; launch
		click $tab_alerts $tab_y
		click $((centre_right - 154)) 137
		shot rules ;;
	clear) state=dialog; launch; key ctrl+l; shot clear-confirm ;;
	form-new) state=dialog; launch; click 50 $bar_y; shot form-new ;;
	form-*)
		state=dialog; launch
		click 120 "$(side_row ${line[demo-${1#form-}]})"
		click 48 $edit_y 2.5 # the form is built on the click
		shot "$1" ;;
	export) state=dialog; launch; click $((W - 48)) $bar_y 1.5; shot export ;;
	replay)
		state=dialog; launch --open "$REC"
		click 120 "$(side_row $((${line[demo-websocket]} + 2)))" # rec: vessels sorts after it
		click 178 $((H - 62)) 3 # Play on the timeline bar: 3 s of the recording
		click $tab_map $tab_y 2
		shot replay-map
		click $tab_events $tab_y
		shot replay-table ;;
	*) echo "screenshots: no scene $1" >&2; exit 2 ;;
	esac
}

for s in $SCENES; do scene "$s"; done
