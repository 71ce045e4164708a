#!/usr/bin/env bash
# Fails when git tracks a file over 1 MB or an executable binary (ELF, Mach-O,
# PE, or any file with a NUL byte and the executable bit): build outputs belong
# in bin/, dist/ or the cache, never in every clone's download.
set -euo pipefail
cd "$(dirname "$0")/.."

limit_bytes=$((1024 * 1024))
failed=0
while IFS= read -r -d '' entry; do
	mode=${entry%% *}
	path=${entry#*$'\t'}
	[[ -f "$path" ]] || continue
	size=$(stat -c %s -- "$path")
	if ((size > limit_bytes)); then
		echo "tracked file over 1 MB: $path ($size bytes); keep it out of git (build outputs go to bin/ or dist/)"
		failed=1
	fi
	magic=$(head -c 4 -- "$path" | od -An -tx1 | tr -d ' \n')
	case "$magic" in
	7f454c46 | cffaedfe | cefaedfe | feedfacf | feedface | cafebabe | 4d5a*)
		echo "tracked executable binary: $path (magic $magic); remove it with 'git rm --cached' and rebuild it instead"
		failed=1
		;;
	*)
		if [[ "$mode" == 100755 ]] && LC_ALL=C grep -qP '\x00' -- "$path" 2>/dev/null; then
			echo "tracked executable binary: $path (executable bit and binary content)"
			failed=1
		fi
		;;
	esac
done < <(git ls-files -s -z | sed -z 's/^\([0-9]*\) [0-9a-f]* [0-9]*\t/\1 \t/')

if ((failed)); then
	exit 1
fi
echo "tracked files: none over 1 MB, no executable binaries"
