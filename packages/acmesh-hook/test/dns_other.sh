#!/usr/bin/env sh
# A stand-in for another acme.sh dnsapi hook of the same order (--dns dns_other -d ...): does nothing.
dns_other_add() {
  return 0
}
dns_other_rm() {
  return 0
}
