#!/bin/sh
# A local Postfix that accepts mail on loopback and discards it: the fast,
# real MTA the notices benchmark mails to with `--url smtp://127.0.0.1:25`
# (see benches/notices.rs). Run as root; safe to run again.
#
#   sh crates/candor-cli/benches/postfix-sink.sh [PORT]   # default 25
#
# Nothing leaves the machine: Postfix listens on loopback only, relays for
# 127.0.0.0/8 alone, and hands every message, whatever its domain, to the
# `discard` transport (accepted, queued, then dropped).
# No TLS: candor sends plain SMTP to a loopback address when the server
# offers no STARTTLS (and Debian's snakeoil certificate would not verify).
set -eu
port="${1:-25}"

if ! command -v postconf >/dev/null 2>&1; then
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string candor-bench.localdomain" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix
fi

# Where mail may come from and go: loopback clients, no local domain, every
# destination discarded.
postconf -e \
    'inet_interfaces = loopback-only' \
    'inet_protocols = ipv4' \
    'mynetworks = 127.0.0.0/8' \
    'mydestination =' \
    'relay_domains =' \
    'relayhost =' \
    'default_transport = discard' \
    'relay_transport = discard' \
    'local_transport = discard' \
    'smtpd_relay_restrictions = permit_mynetworks, reject' \
    'smtpd_recipient_restrictions =' \
    'smtpd_tls_security_level = none' \
    'smtp_tls_security_level = none'
# A benchmark's burst is not to be slowed down: no inflow throttling when
# the queue manager lags, enough smtpd processes for every pooled
# connection, none of the address rewriting and content checks a sink does
# not need, and no log file (Postfix logs five lines a message; without a
# syslog daemon they go nowhere). To count what arrived, set
# `maillog_file = /var/log/postfix-sink.log` and `postfix reload`.
postconf -e \
    'in_flow_delay = 0s' \
    'default_process_limit = 200' \
    'receive_override_options = no_address_mappings, no_header_body_checks, no_unknown_recipient_checks, no_milters' \
    'maillog_file ='

# The SMTP service on PORT (25 is master.cf's `smtp inet` entry).
if [ "$port" != 25 ]; then
    postconf -MX smtp/inet 2>/dev/null || true
    postconf -Me "$port/inet=$port inet n - y - - smtpd"
fi

# Start it, or make a running one read the settings again. Debian's init
# script copies what the chrooted daemons need into the queue directory.
if postfix status >/dev/null 2>&1; then
    postfix reload
else
    /etc/init.d/postfix start
fi
for _ in $(seq 50); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
        echo "Postfix discards all mail sent to smtp://127.0.0.1:$port"
        exit 0
    fi
    sleep 0.1
done
echo "Postfix does not listen on 127.0.0.1:$port" >&2
exit 1
