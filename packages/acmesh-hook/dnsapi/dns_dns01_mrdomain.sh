#!/usr/bin/env sh
# shellcheck disable=SC2034
dns_dns01_mrdomain_info='MrDomain (dondominio) via the dns01 CLI (waits for every authoritative nameserver)
 Named dns_dns01_mrdomain so it never collides with a hook acme.sh ships.
 Needs the dns01 executable: DNS01_CLI, or dns01 on PATH.
Site: the dns01 suite, packages/acmesh-hook
Docs: docs/clients/acme.sh.md in the dns01 suite
Options:
 MRDOMAIN_API_USER the API username (apiuser) MrDomain gives for the Simple-POST API.
 MRDOMAIN_API_PASSWORD the API password (apipasswd) that belongs to MRDOMAIN_API_USER.
 MRDOMAIN_ENDPOINT base URL of the Simple-POST API (tests and proxies override it). Optional.
 DNS01_CLI Path of the dns01 executable. Optional. Default: "dns01" on PATH.
Author: dns01 suite
'

# Generated from packages/acmesh-hook/template.sh and the provider's definition
# (packages/provider-client/src/providers/mrdomain/) by scripts/generate.mjs
# (pnpm generate); edit those, not this file.
#
# Exit codes of the dns01 CLI, named in the hook's error line:
#   0 ok
#   1 other failure
#   2 usage
#   3 configuration
#   4 authentication
#   5 zone not found
#   6 provider API
#   7 propagation timeout
#   8 provider deviation
#
# acme.sh runs each add in a subshell of its issue(), where its own variables
# are visible: $vlist lists every challenge of the run, $ventry is the current
# one, $dns_entries the records added so far. Every add creates its record
# without waiting; the add of this hook's last pending dns-01 entry waits
# once, for all of this hook's records (an order may mix hooks: --dns a -d x
# --dns b -d y); a run of one record is one present that creates and waits.
# Without those variables every add waits for its own record.
# Safe under set -u: every variable acme.sh may not have set is guarded.
# Use --dnssleep 0: the waiting is done here, against the authoritative
# nameservers, so acme.sh's own sleep and public-resolver check add nothing.

########  Public functions #####################

# Usage: dns_dns01_mrdomain_add _acme-challenge.www.example.com "XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs"
dns_dns01_mrdomain_add() {
  fulldomain="$1"
  txtvalue="$2"
  _dns01_mrdomain_credentials || return 1
  _d01_domain="$(_dns01_mrdomain_domain "$fulldomain")" || return 1
  _d01_pending="$(_dns01_mrdomain_pending_after)"
  _debug "dns01 pending dns-01 entries after this one" "$_d01_pending"
  if [ "$_d01_pending" = "unknown" ]; then
    _debug "acme.sh's vlist/ventry are not visible: waiting for this record alone"
    _dns01_mrdomain_cli present -- "$_d01_domain" "$txtvalue" || return 1
    return 0
  fi
  if [ "$_d01_pending" != "0" ]; then
    _dns01_mrdomain_cli present --no-wait -- "$_d01_domain" "$txtvalue" || return 1
    _info "dns01: created $fulldomain; $_d01_pending more to come, the last one waits for all"
    return 0
  fi
  _info "dns01: waiting until every authoritative nameserver serves every record of this run"
  _dns01_mrdomain_last "$fulldomain" "$txtvalue" "$_d01_domain"
}

# Usage: dns_dns01_mrdomain_rm _acme-challenge.www.example.com "XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs"
dns_dns01_mrdomain_rm() {
  fulldomain="$1"
  txtvalue="$2"
  _dns01_mrdomain_credentials || return 1
  _d01_domain="$(_dns01_mrdomain_domain "$fulldomain")" || return 1
  _dns01_mrdomain_cli cleanup -- "$_d01_domain" "$txtvalue" || return 1
  return 0
}

####################  Private functions below ##################################

# Reads every name, alias and _FILE form of each setting from the environment or acme.sh's
# account.conf (SAVED_<NAME>: also what acme.sh's own hook saved under an alias), and saves
# those set for renewals. The CLI picks among them as it always does.
_dns01_mrdomain_credentials() {
  _dns01_mrdomain_saved_names
  _dns01_mrdomain_setting MRDOMAIN_API_USER MRDOMAIN_API_USER_FILE
  _dns01_mrdomain_setting MRDOMAIN_API_PASSWORD MRDOMAIN_API_PASSWORD_FILE
  _dns01_mrdomain_setting MRDOMAIN_ENDPOINT MRDOMAIN_ENDPOINT_FILE
  _d01_missing=""
  [ -n "$MRDOMAIN_API_USER$MRDOMAIN_API_USER_FILE" ] || _d01_missing="${_d01_missing:+$_d01_missing, }MRDOMAIN_API_USER"
  [ -n "$MRDOMAIN_API_PASSWORD$MRDOMAIN_API_PASSWORD_FILE" ] || _d01_missing="${_d01_missing:+$_d01_missing, }MRDOMAIN_API_PASSWORD"
  if [ -n "$_d01_missing" ]; then
    _err "dns01: set $_d01_missing (or an alias or the _FILE form of each; once: acme.sh saves them for renewals)"
    return 1
  fi
  # cron's PATH may not hold dns01: a DNS01_CLI given once is kept for renewals too.
  _d01_saved="$(_dns01_mrdomain_read DNS01_CLI)"
  DNS01_CLI="${DNS01_CLI:-$_d01_saved}"
  [ -z "$DNS01_CLI" ] || [ "$DNS01_CLI" = "$_d01_saved" ] || _saveaccountconf_mutable DNS01_CLI "$DNS01_CLI"
  return 0
}

# One setting, given as all its variables (each name and _FILE form): when the environment
# sets any of them, those count (saved for renewals) and any other saved earlier is cleared, so
# a stale saved alias cannot win over a fresh value; otherwise all are read from account.conf.
# A value is saved only when it differs from the saved one: acme.sh's _saveaccountconf_mutable
# runs sed with the value in its argv (visible in ps). The names come from the generated calls
# above, never from input.
_dns01_mrdomain_setting() {
  _d01_env=""
  for _d01_v in "$@"; do eval "_d01_env=\"\$_d01_env\${$_d01_v:-}\""; done
  for _d01_v in "$@"; do
    if [ -z "$_d01_env" ]; then
      eval "$_d01_v=\"\$(_dns01_mrdomain_read $_d01_v)\""
    elif eval "[ -n \"\${$_d01_v:-}\" ]"; then
      _d01_saved="$(_dns01_mrdomain_read "$_d01_v")"
      eval "[ \"\$$_d01_v\" = \"\$_d01_saved\" ]" || eval "_saveaccountconf_mutable $_d01_v \"\$$_d01_v\""
    elif [ -n "$(_dns01_mrdomain_read "$_d01_v")" ]; then
      _saveaccountconf_mutable "$_d01_v" ""
    fi
    eval "$_d01_v=\"\${$_d01_v:-}\"" # set, if only to "": safe under set -u
  done
}

# Which settings account.conf holds (its SAVED_<NAME>= lines), in $_d01_saved_names, read
# once per call; "unknown" when acme.sh does not say where account.conf is. Each read
# through acme.sh forks several processes, and a provider has some 20 names and aliases.
_dns01_mrdomain_saved_names() {
  if [ -n "${ACCOUNT_CONF_PATH:-}" ] && [ -f "$ACCOUNT_CONF_PATH" ]; then
    _d01_saved_names="
$(sed -n 's/^\(SAVED_[A-Za-z0-9_]*\) *=.*/\1=/p' "$ACCOUNT_CONF_PATH")"
  elif [ -n "${ACCOUNT_CONF_PATH:-}" ]; then
    _d01_saved_names=""
  else
    _d01_saved_names="unknown"
  fi
}

# The value acme.sh saved for setting $1, read through acme.sh; empty when account.conf holds none.
_dns01_mrdomain_read() {
  case "$_d01_saved_names" in
    unknown | *"
SAVED_$1="*) _readaccountconf_mutable "$1" ;;
  esac
}

# Field $1 (from 1) of $2 split at $3, into $_d01_field, without a subshell; empty past the last.
_dns01_mrdomain_field() {
  _d01_rest="$2"
  _d01_i=1
  while [ "$_d01_i" -lt "$1" ]; do
    case "$_d01_rest" in
      *"$3"*) _d01_rest="${_d01_rest#*"$3"}" ;;
      *)
        _d01_rest=""
        break
        ;;
    esac
    _d01_i=$((_d01_i + 1))
  done
  _d01_field="${_d01_rest%%"$3"*}"
}

# The domain for the CLI: the record name without its _acme-challenge. label.
_dns01_mrdomain_domain() {
  case "$1" in
    _acme-challenge.*) printf '%s' "${1#_acme-challenge.}" ;;
    *)
      _err "dns01: $1 does not start with _acme-challenge. (a --domain-alias with a custom prefix is not supported)"
      return 1
      ;;
  esac
}

# The number of this hook's dns-01 entries after the current one that still need a record, or "unknown".
# vlist entries: domain#keyauthorization#uri#type#hook#authz-url (the hook field is empty in old acme.sh: counted).
_dns01_mrdomain_pending_after() {
  if [ -z "${vlist:-}" ] || [ -z "${ventry:-}" ]; then
    echo unknown
    return 0
  fi
  _d01_seen=""
  _d01_count=0
  # Split without pathname expansion: a wildcard name ("*.example.com") would match files in
  # the working directory. Restored below unless the caller had it off already.
  case "$-" in
    *f*) _d01_noglob_before=1 ;;
    *) _d01_noglob_before="" ;;
  esac
  set -f
  for _d01_entry in $(printf '%s' "$vlist" | tr ',' ' '); do
    if [ "$_d01_seen" ]; then
      _dns01_mrdomain_field 4 "$_d01_entry" '#'
      _d01_type="$_d01_field"
      _dns01_mrdomain_field 2 "$_d01_entry" '#'
      _d01_auth="$_d01_field"
      _dns01_mrdomain_field 5 "$_d01_entry" '#'
      _d01_hook="$_d01_field"
      if [ "$_d01_type" = "dns-01" ] && [ "$_d01_auth" != "${STATE_VERIFIED:-verified_ok}" ] &&
        { [ -z "$_d01_hook" ] || [ "$_d01_hook" = "dns_dns01_mrdomain" ]; }; then
        _d01_count=$((_d01_count + 1))
      fi
    elif [ "$_d01_entry" = "$ventry" ]; then
      _d01_seen=1
    fi
  done
  [ -n "$_d01_noglob_before" ] || set +f
  if [ "$_d01_seen" ]; then echo "$_d01_count"; else echo unknown; fi
}

# The last add of this hook in this run: creates its record, then one dns01 wait for it and every record
# this hook added before it ($dns_entries). With none before it, one present does both in one process.
_dns01_mrdomain_last() {
  _d01_fqdn="$1"
  _d01_value="$2"
  _d01_target="$3"
  set --
  # $dns_entries lines: root,_acme-challenge.root,alias-name-or-empty,hook,txt,api-file
  while IFS= read -r _d01_line; do
    [ "$_d01_line" ] || continue
    _dns01_mrdomain_field 4 "$_d01_line" ,
    [ -z "$_d01_field" ] || [ "$_d01_field" = "dns_dns01_mrdomain" ] || continue
    _dns01_mrdomain_field 3 "$_d01_line" ,
    _d01_name="$_d01_field"
    [ "$_d01_name" ] || { _dns01_mrdomain_field 2 "$_d01_line" , && _d01_name="$_d01_field"; }
    _dns01_mrdomain_field 5 "$_d01_line" ,
    _d01_txt="$_d01_field"
    set -- "$@" --record "$_d01_name=$_d01_txt"
  done <<_D01_EOF
${dns_entries:-}
_D01_EOF
  # present removes its record again when its wait fails.
  [ $# -gt 0 ] || { _dns01_mrdomain_cli present -- "$_d01_target" "$_d01_value"; return; }
  _dns01_mrdomain_cli present --no-wait -- "$_d01_target" "$_d01_value" || return 1
  _dns01_mrdomain_cli wait --record "$_d01_fqdn=$_d01_value" "$@" && return 0
  # acme.sh cleans up only the entries whose add succeeded: remove this one here.
  _dns01_mrdomain_cli cleanup -- "$_d01_target" "$_d01_value"
  return 1
}

# Runs the CLI with this provider's settings in the environment of that one call, never in argv.
_dns01_mrdomain_cli() {
  _d01_cli="${DNS01_CLI:-dns01}"
  if ! command -v "$_d01_cli" >/dev/null 2>&1; then
    _err "dns01: cannot find the dns01 executable ($_d01_cli): install it or set DNS01_CLI to its path"
    return 1
  fi
  _debug "dns01" "$*"
  # acme.sh owns the terminal: no live status line from a wait here.
  DNS01_PROVIDER=mrdomain DNS01_STATUS_LINE=0 MRDOMAIN_API_USER="$MRDOMAIN_API_USER" MRDOMAIN_API_USER_FILE="$MRDOMAIN_API_USER_FILE" MRDOMAIN_API_PASSWORD="$MRDOMAIN_API_PASSWORD" MRDOMAIN_API_PASSWORD_FILE="$MRDOMAIN_API_PASSWORD_FILE" MRDOMAIN_ENDPOINT="$MRDOMAIN_ENDPOINT" MRDOMAIN_ENDPOINT_FILE="$MRDOMAIN_ENDPOINT_FILE" "$_d01_cli" "$@"
  _d01_status="$?"
  if [ "$_d01_status" != "0" ]; then
    _err "dns01 $1 failed with exit code $_d01_status (see the error line above; docs/clients/acme.sh.md)"
    return 1
  fi
  return 0
}
