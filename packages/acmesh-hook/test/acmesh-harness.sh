#!/bin/sh
# Runs an acme.sh dnsapi hook the way acme.sh's issue() does, without acme.sh:
# stub helper functions, the run's variables ($vlist, $ventry, $dns_entries),
# each add in a subshell that sources the hook file, then each rm likewise.
#
# Usage: acmesh-harness.sh <hook-file> <domain>=<txt> [<domain>=<txt>...]
#   <txt> "verified_ok" marks an authorization that is already valid (skipped);
#   a <txt> starting with "other-" is handled by another hook (dns_other.sh, a stub),
#   as with acme.sh's --dns dns_a -d a --dns dns_b -d b.
# Environment:
#   HARNESS_ACCOUNT_CONF  file standing in for account.conf (required)
#   HARNESS_MODE          issue (default: acme.sh's variables visible) or legacy (not visible)
#   HARNESS_PHASE         both (default), add or rm
#   HARNESS_DEBUG         1 to show _debug lines
#   HARNESS_NOUNSET       1 to run every add and rm under set -u
#   HARNESS_SAVE_LOG      file that gets one line per _saveaccountconf_mutable call
#   HARNESS_READ_LOG      file that gets one line per _readaccountconf_mutable call
#   HARNESS_NO_CONF_PATH  1 to leave ACCOUNT_CONF_PATH unset (as if acme.sh did not say where account.conf is)
# Exit status: 0 when every add and rm succeeded, 1 otherwise.

STATE_VERIFIED="verified_ok"
# acme.sh's own variable: the hooks read it to see which settings account.conf holds.
[ "${HARNESS_NO_CONF_PATH:-}" ] || ACCOUNT_CONF_PATH="${HARNESS_ACCOUNT_CONF:-}"

_info() { printf '[acme.sh info] %s\n' "$*"; }
_err() { printf '[acme.sh error] %s\n' "$*" >&2; }
_debug() {
  [ "${HARNESS_DEBUG:-}" ] && printf '[acme.sh debug] %s\n' "$*" >&2
  return 0
}
_exists() { command -v "$1" >/dev/null 2>&1; }

# account.conf holds SAVED_<KEY>='<value>' lines, as acme.sh writes them.
_readaccountconf_mutable() {
  [ -z "${HARNESS_READ_LOG:-}" ] || printf '%s\n' "$1" >>"$HARNESS_READ_LOG"
  [ -f "$HARNESS_ACCOUNT_CONF" ] || return 0
  sed -n "s/^SAVED_$1='\(.*\)'\$/\1/p" "$HARNESS_ACCOUNT_CONF" | tail -n 1
}
_saveaccountconf_mutable() {
  [ -z "${HARNESS_SAVE_LOG:-}" ] || printf '%s\n' "$1" >>"$HARNESS_SAVE_LOG"
  touch "$HARNESS_ACCOUNT_CONF"
  grep -v "^SAVED_$1=" "$HARNESS_ACCOUNT_CONF" >"$HARNESS_ACCOUNT_CONF.tmp"
  printf "SAVED_%s='%s'\n" "$1" "$2" >>"$HARNESS_ACCOUNT_CONF.tmp"
  mv "$HARNESS_ACCOUNT_CONF.tmp" "$HARNESS_ACCOUNT_CONF"
}

OTHER_HOOK_FILE="$(dirname "$0")/dns_other.sh"

_clearupdns() {
  [ "$dns_entries" ] || return 0
  _rm_failed=0
  while IFS= read -r _entry; do
    [ "$_entry" ] || continue
    _txtdomain="$(printf '%s' "$_entry" | cut -d , -f 2)"
    _entry_hook="$(printf '%s' "$_entry" | cut -d , -f 4)"
    _txt="$(printf '%s' "$_entry" | cut -d , -f 5)"
    _entry_file="$(printf '%s' "$_entry" | cut -d , -f 6)"
    (
      [ -z "${HARNESS_NOUNSET:-}" ] || set -u
      if ! . "$_entry_file"; then
        return 1
      fi
      "${_entry_hook}_rm" "$_txtdomain" "$_txt"
    ) || _rm_failed=1
  done <<EOF_ENTRIES
$dns_entries
EOF_ENTRIES
  return "$_rm_failed"
}

hook_of() {
  case "$1" in
    other-*) echo dns_other ;;
    *) basename "$main_hook_file" .sh ;;
  esac
}
file_of() {
  case "$1" in
    other-*) echo "$OTHER_HOOK_FILE" ;;
    *) echo "$main_hook_file" ;;
  esac
}

issue() {
  main_hook_file="$1"
  shift
  sep='#'
  dvsep=','
  vlist=""
  for _arg in "$@"; do
    _d="${_arg%%=*}"
    _txt="${_arg#*=}"
    if [ "$_txt" = "$STATE_VERIFIED" ]; then _ka="$STATE_VERIFIED"; else _ka="ka-$_txt"; fi
    hook="$(hook_of "$_txt")"
    vlist="$vlist$_d$sep$_ka${sep}https://acme.test/chall$sep""dns-01$sep$hook${sep}https://acme.test/authz$dvsep"
  done
  dns_entries=""
  if [ "${HARNESS_PHASE:-both}" != "rm" ]; then
    ventries=$(echo "$vlist" | tr "$dvsep" ' ')
    # acme.sh splits with pathname expansion on; the harness does not, so that the hooks alone are
    # under test: the list is split under set -f, the hooks run with expansion on, as in acme.sh.
    set -f
    for ventry in $ventries; do
      set +f
      d=$(echo "$ventry" | cut -d "$sep" -f 1)
      keyauthorization=$(echo "$ventry" | cut -d "$sep" -f 2)
      [ "$keyauthorization" = "$STATE_VERIFIED" ] && continue
      _dns_root_d="${d#\*.}"
      txtdomain="_acme-challenge.$_dns_root_d"
      txt="${keyauthorization#ka-}"
      hook="$(hook_of "$txt")"
      hook_file="$(file_of "$txt")"
      dns_entry="$_dns_root_d${dvsep}_acme-challenge.$_dns_root_d$dvsep$dvsep$hook$dvsep$txt$dvsep$hook_file"
      (
        if [ "${HARNESS_MODE:-}" = "legacy" ]; then
          unset vlist ventry dns_entries
        fi
        [ -z "${HARNESS_NOUNSET:-}" ] || set -u
        if ! . "$hook_file"; then
          _err "Error loading file $hook_file"
          return 1
        fi
        if ! "${hook}_add" "$txtdomain" "$txt"; then
          _err "Error adding TXT record to domain: $txtdomain"
          return 1
        fi
      )
      if [ "$?" != "0" ]; then
        _clearupdns
        return 1
      fi
      dns_entries="$dns_entries$dns_entry
"
    done
  else
    for _arg in "$@"; do
      _d="${_arg%%=*}"
      _d="${_d#\*.}"
      dns_entries="$dns_entries$_d,_acme-challenge.$_d,,$(hook_of "${_arg#*=}"),${_arg#*=},$(file_of "${_arg#*=}")
"
    done
  fi
  [ "${HARNESS_PHASE:-both}" = "add" ] && return 0
  _clearupdns
}

issue "$@"
