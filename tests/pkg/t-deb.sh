#!/bin/sh
# tests/pkg/t-deb.sh DEB - the Debian package on this host (root; run by
# `make deb-check`, not by make check: it installs into /usr and /etc).
#
# Installs DEB, then: the system users (grondslag, grondslag-web), the
# directory modes, the store made once, the console's unit installed but
# not enabled; it depends on libpq5 (loaded, not linked: no program has
# it as NEEDED); `grondslag-milter -n` passes on the packaged configuration;
# with the conffile edited for a jurist (ControlSocket, Jurist) the daemon
# starts and a jurist user's `grondslag held` is answered (and logged),
# an outsider's refused; the console set up as the package's README says
# (certificates made here, ControlConsoleUser grondslag-web): -n passes,
# it runs as grondslag-web and a jurist's certificate gets the queue,
# logged as the jurist through the console's channel; an upgrade (the same package, a higher version)
# keeps the edited conffile and the store; purge removes the package's
# files, the configuration and the store.  The host is left as found,
# also when a check fails or the run is interrupted (the EXIT trap also
# runs on HUP, INT and TERM): the daemon it started is stopped, the
# package purged, the packages the install pulled in purged again, the
# users this test made removed, a grondslag user it made too, and the
# mode of a /var/lib/grondslag that was there put back.  A host where the
# grondslag package is installed is not touched at all (the test fails
# and says so): it would purge a real installation.  Runs of two
# checkouts on one host take turns (flock on /run/lock).
set -u
. tests/testlib.sh
. tests/pglib.sh
DEB=${1:-}
W=$B/deb-check
rm -rf "$W"
mkdir -p "$W"
if [ "$(id -u)" != 0 ] || [ ! -f "$DEB" ]; then
	not_ok "run as root with the package: $0 build/deb/grondslag_VERSION_ARCH.deb"
	summary
	exit 1
fi
# one run at a time on this host: dpkg and the package's paths are shared
if [ -z "${TDEB_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	TDEB_LOCKED=1 exec flock -w 1800 /run/lock/grondslag-deb-check sh "$0" "$@"
fi
if dpkg-query -W -f='${Status}' grondslag 2>/dev/null | grep -q 'ok installed'; then
	not_ok "the grondslag package is not installed on this host before the test" \
		"it is: the test installs, upgrades and PURGES the package; run it on a host without it"
	summary
	exit 1
fi
installed() { dpkg-query -W -f='${Status} ${Package}\n' 2>/dev/null | awk '$3 == "installed" { print $4 }' | sort; }
installed >"$W/packages.before"
JUR=grondslag-tdeb-j
OUTSIDER=grondslag-tdeb-out
HAD_USER=no
getent passwd grondslag >/dev/null && HAD_USER=yes
HAD_WEB_USER=no
getent passwd grondslag-web >/dev/null && HAD_WEB_USER=yes
DAEMON=""
CONSOLE=""
# /var/lib/grondslag may hold geo data installed before (contrib/
# geo-install.sh): the package takes the directory over, the purge leaves
# it; its mode and owner are put back at the end
VARLIB=$(stat -c '%a %u %g' /var/lib/grondslag 2>/dev/null || echo none)

cleanup() {
	[ -n "$CONSOLE" ] && kill "$CONSOLE" 2>/dev/null && wait "$CONSOLE" 2>/dev/null
	[ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
	dpkg --purge grondslag >/dev/null 2>&1
	if [ "$HAD_WEB_USER" = no ] && id grondslag-web >/dev/null 2>&1; then
		userdel grondslag-web >/dev/null 2>&1
		getent group grondslag-web >/dev/null && groupdel grondslag-web 2>/dev/null
	fi
	# what the install pulled in (the libraries are normally there from
	# tests/deps.sh already: then nothing)
	installed | comm -13 "$W/packages.before" - >"$W/packages.pulled"
	if [ -s "$W/packages.pulled" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $(cat "$W/packages.pulled") \
			>"$W/packages.purge.log" 2>&1
	fi
	for u in $JUR $OUTSIDER; do id "$u" >/dev/null 2>&1 && userdel "$u" >/dev/null 2>&1; done
	[ "$HAD_USER" = no ] && id grondslag >/dev/null 2>&1 && userdel grondslag >/dev/null 2>&1
	getent group grondslag >/dev/null && [ "$HAD_USER" = no ] && groupdel grondslag 2>/dev/null
	if [ "$VARLIB" != none ] && [ -d /var/lib/grondslag ]; then
		set -- $VARLIB
		chmod "$1" /var/lib/grondslag && chown "$2:$3" /var/lib/grondslag
	fi
	return 0
}
# the private PostgreSQL of the store check goes too, however the run ends
pg_trap cleanup

# mode_of PATH: "MODE USER GROUP"
mode_of() { stat -c '%a %U %G' "$1" 2>/dev/null; }

# ---- install ----
if apt-get install -y -qq --no-install-recommends "$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")" \
	>"$W/install.log" 2>&1; then
	ok "the package installs"
else
	not_ok "install" "$(tail -20 "$W/install.log")"
	summary
	exit 1
fi
for f in /usr/sbin/grondslag-milter /usr/bin/grondslag /etc/grondslag/grondslag.conf \
	/etc/grondslag/registry.yaml /lib/systemd/system/grondslag-milter.service \
	/usr/lib/tmpfiles.d/grondslag.conf /usr/share/man/man8/grondslag-milter.8.gz \
	/usr/sbin/grondslag-web /lib/systemd/system/grondslag-web.service \
	/usr/share/man/man8/grondslag-web.8.gz; do
	check "installed $f" test -s "$f"
done
# the console's unit is there but not enabled: it has no certificate yet
check "grondslag-web.service is not enabled at install" sh -c \
	"! ls /etc/systemd/system/*.wants/grondslag-web.service >/dev/null 2>&1"
wuid=$(id -u grondslag-web 2>/dev/null || echo none)
[ "$wuid" != none ] && [ "$wuid" -lt 1000 ] && ok "system user grondslag-web (uid $wuid)" ||
	not_ok "system user grondslag-web" "uid $wuid"
check "grondslag-web has no login shell" sh -c "getent passwd grondslag-web | grep -q ':/usr/sbin/nologin$'"
got=$(mode_of /etc/grondslag/web)
[ "$got" = "750 root grondslag-web" ] && ok "/etc/grondslag/web: $got" ||
	not_ok "/etc/grondslag/web: got '$got', want '750 root grondslag-web'"
check "conffiles: the configuration and the registry" sh -c \
	"dpkg-query -W -f='\${Conffiles}' grondslag | grep -q /etc/grondslag/grondslag.conf &&
	 dpkg-query -W -f='\${Conffiles}' grondslag | grep -q /etc/grondslag/registry.yaml"
uid=$(id -u grondslag 2>/dev/null || echo none)
[ "$uid" != none ] && [ "$uid" -lt 1000 ] && ok "system user grondslag (uid $uid)" ||
	not_ok "system user grondslag" "uid $uid"
check "grondslag has no login shell" sh -c "getent passwd grondslag | grep -q ':/usr/sbin/nologin$'"
for d in "/run/grondslag 755" "/var/lib/grondslag 750" "/var/spool/grondslag 700"; do
	set -- $d
	got=$(mode_of "$1")
	[ "$got" = "$2 grondslag grondslag" ] && ok "$1: $got" ||
		not_ok "$1: got '$got', want '$2 grondslag grondslag'"
done
got=$(mode_of /var/lib/grondslag/grondslag.db)
[ "$got" = "600 grondslag grondslag" ] && ok "the store made at install: $got" ||
	not_ok "the store: got '$got'"

# ---- -n on the packaged configuration ----
grondslag-milter -n >"$W/n.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "grondslag-milter -n passes on the packaged configuration" ||
	not_ok "-n: exit $rc" "$(cat "$W/n.out")"
grep -q "error:" "$W/n.out" && not_ok "-n: no error" "$(cat "$W/n.out")" || ok "-n: no error"

# ---- libpq, libarchive, libgsf: loaded when first needed, so
# dpkg-shlibdeps does not see them: the package names them itself ----
for p in libpq5 libarchive13 libgsf-1-114; do
	dpkg-deb -f "$DEB" Depends | tr ',' '\n' | grep -q "^ *$p\( \|\$\)" &&
		ok "the package depends on $p" || not_ok "Depends: $p" "$(dpkg-deb -f "$DEB" Depends)"
done
readelf -d /usr/bin/grondslag /usr/sbin/grondslag-milter /usr/sbin/grondslag-web |
	grep -q 'NEEDED.*\(libpq\|libarchive\|libgsf\)' &&
	not_ok "the packaged programs are not linked with libpq, libarchive, libgsf" ||
	ok "the packaged programs are not linked with libpq, libarchive, libgsf"

# ---- the packaged programs on a PostgreSQL store ----
# a private server (unix socket only), the roles of operations.md, the
# schema made by the packaged CLI as the owner, the packaged grants file,
# then the packaged daemon's start check as its own role
check "the grants file is installed" test -s /usr/share/grondslag/postgresql-grants.sql
if pg_start; then
	pg_psql postgres -c "CREATE ROLE grondslag_admin LOGIN; CREATE ROLE grondslag_milter LOGIN;
		CREATE ROLE grondslag_reader LOGIN" >/dev/null &&
		pg_psql postgres -c "CREATE DATABASE grondslag OWNER grondslag_admin" >/dev/null ||
		not_ok "PostgreSQL roles and database made"
	PGC="host=$PG_SOCK port=$PG_PORT dbname=grondslag"
	cat >"$W/pg.conf" <<CONF
Registry /etc/grondslag/registry.yaml
RegistrySignature none
Database $PGC user=grondslag_admin
SpoolDirectory $W
Socket unix:$W/milter.sock
UserID
PidFile
NoticeRelay
ReleaseRelay
ReleaseKeyFile $W/release-key
CONF
	grondslag store init -c "$W/pg.conf" >"$W/pg-init.out" 2>&1 &&
		grep -q "created store host=" "$W/pg-init.out" &&
		ok "the packaged grondslag makes a PostgreSQL store" ||
		not_ok "store init on PostgreSQL" "$(cat "$W/pg-init.out")"
	psql -X -q -v ON_ERROR_STOP=1 "$PGC user=grondslag_admin" \
		-f /usr/share/grondslag/postgresql-grants.sql >"$W/pg-grants.out" 2>&1 &&
		ok "the packaged grants file applies" ||
		not_ok "the packaged grants file" "$(cat "$W/pg-grants.out")"
	sed -i "s|^Database .*|Database $PGC user=grondslag_milter|" "$W/pg.conf"
	grondslag-milter -n -c "$W/pg.conf" >"$W/pg-n.out" 2>&1 &&
		grep -q "configuration OK.*store host=.*user=grondslag_milter" "$W/pg-n.out" &&
		ok "the packaged grondslag-milter -n opens it as the daemon's role" ||
		not_ok "grondslag-milter -n on PostgreSQL" "$(cat "$W/pg-n.out")"
	pg_stop
else
	not_ok "a private PostgreSQL starts (postgresql-15 from tests/deps.sh)"
fi

# ---- a jurist: the conffile edited, the daemon started ----
useradd -M -N -s /usr/sbin/nologin "$JUR" && useradd -M -N -s /usr/sbin/nologin "$OUTSIDER" ||
	not_ok "useradd"
cat >>/etc/grondslag/grondslag.conf <<CONF
# added by t-deb.sh
ControlSocket /run/grondslag/control.sock
Jurist $JUR $JUR@example.org
ReleaseApprovals 1
CONF
grondslag-milter -n >"$W/n2.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "-n passes with the jurist" || not_ok "-n with the jurist: exit $rc" "$(cat "$W/n2.out")"
grondslag-milter -f >"$W/daemon.out" 2>&1 &
DAEMON=$!
i=0
while [ $i -lt 100 ] && ! [ -S /run/grondslag/control.sock ]; do sleep 0.1; i=$((i + 1)); done
check "the daemon started (control socket)" test -S /run/grondslag/control.sock
check "the milter socket: mode 660" sh -c "[ \"\$(stat -c %a /run/grondslag/milter.sock)\" = 660 ]"
runuser -u "$JUR" -- grondslag held >"$W/held.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "the jurist's grondslag held is answered" ||
	not_ok "jurist held: exit $rc" "$(cat "$W/held.out")"
runuser -u "$OUTSIDER" -- grondslag held >"$W/out.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "refused" "$W/out.out" && ok "an outsider is refused" ||
	not_ok "outsider: exit $rc" "$(cat "$W/out.out")"
sleep 0.5
check "the jurist's request is logged" grep -q \
	"control: user=$JUR uid=$(id -u $JUR) role=jurist cmd=held ref=- outcome=accepted" "$W/daemon.out"
check "the daemon runs as grondslag" sh -c \
	"[ \"\$(ps -o user= -p $DAEMON)\" = grondslag ] || [ \"\$(ps -o user= -p $DAEMON)\" = $uid ]"
# ---- the console: its own user, the delegate set-up, a jurist's page ----
PKI=$W/pki
mkdir -p "$PKI"
(
	cd "$PKI" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
		-subj "/CN=t-deb client CA" 2>/dev/null || exit 1
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >srv.ext
	printf 'extendedKeyUsage=clientAuth\n' >cli.ext
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" \
		2>/dev/null &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-out server.crt -days 2 -extfile srv.ext 2>/dev/null || exit 1
	openssl req -newkey rsa:2048 -nodes -keyout jur.key -out jur.csr -subj "/CN=$JUR" \
		2>/dev/null &&
		openssl x509 -req -in jur.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-out jur.crt -days 2 -extfile cli.ext 2>/dev/null
) || not_ok "certificates made"
install -m 644 "$PKI/server.crt" "$PKI/ca.crt" /etc/grondslag/web/
install -m 600 "$PKI/server.key" /etc/grondslag/web/
mv /etc/grondslag/web/ca.crt /etc/grondslag/web/client-ca.crt
WPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >>/etc/grondslag/grondslag.conf <<CONF
ControlConsoleUser grondslag-web
WebListen 127.0.0.1:$WPORT
WebCertificateMap $JUR subject:CN=$JUR
CONF
check "grondslag-milter -n passes with the delegate" grondslag-milter -n
grondslag-web -n >"$W/web-n.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "grondslag-web -n passes (packaged paths, delegate set up)" ||
	not_ok "grondslag-web -n: exit $rc" "$(cat "$W/web-n.out")"
kill -HUP "$DAEMON"	# the daemon reads ControlConsoleUser on reload
sleep 1
grondslag-web >"$W/web.out" 2>&1 &
CONSOLE=$!
i=0
while [ $i -lt 100 ] && ! curl -s -o /dev/null -k --max-time 2 "https://127.0.0.1:$WPORT/" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
code=$(curl -s -o "$W/queue.html" -w '%{http_code}' --max-time 20 --cacert "$PKI/ca.crt" \
	--cert "$PKI/jur.crt" --key "$PKI/jur.key" "https://localhost:$WPORT/" \
	--resolve "localhost:$WPORT:127.0.0.1")
[ "$code" = 200 ] && ok "a jurist's certificate gets the console's queue (HTTP 200)" ||
	not_ok "console: HTTP $code" "$(head -c 400 "$W/queue.html"; tail -5 "$W/web.out")"
check "the console runs as grondslag-web" sh -c \
	"[ \"\$(ps -o user= -p $CONSOLE)\" = grondslag-web ] || [ \"\$(ps -o user= -p $CONSOLE)\" = $wuid ]"
sleep 0.5
check "the daemon logs the jurist acting through the console" grep -q \
	"control: user=$JUR channel=grondslag-web uid=$wuid role=jurist cmd=held" "$W/daemon.out"
kill "$CONSOLE"
wait "$CONSOLE" 2>/dev/null
CONSOLE=""

kill "$DAEMON"
wait "$DAEMON" 2>/dev/null
DAEMON=""

# ---- upgrade: a higher version keeps the edited conffile and the store ----
DB_SUM=$(sha256sum /var/lib/grondslag/grondslag.db | cut -d' ' -f1)
CONF_SUM=$(sha256sum /etc/grondslag/grondslag.conf | cut -d' ' -f1)
dpkg-deb -R "$DEB" "$W/up"
sed -i 's/^Version: \(.*\)$/Version: \1+tdeb1/' "$W/up/DEBIAN/control"
dpkg-deb -b "$W/up" "$W/up.deb" >/dev/null 2>&1 || not_ok "repack the package"
if dpkg -i "$W/up.deb" >"$W/upgrade.log" 2>&1; then
	ok "the upgrade installs"
else
	not_ok "upgrade" "$(tail -20 "$W/upgrade.log")"
fi
check "the upgrade is the new version" sh -c \
	"dpkg-query -W -f='\${Version}' grondslag | grep -q '+tdeb1$'"
[ "$(sha256sum /etc/grondslag/grondslag.conf | cut -d' ' -f1)" = "$CONF_SUM" ] &&
	ok "the edited conffile is kept on upgrade" || not_ok "conffile replaced on upgrade"
[ "$(sha256sum /var/lib/grondslag/grondslag.db | cut -d' ' -f1)" = "$DB_SUM" ] &&
	ok "the store is kept on upgrade" || not_ok "store changed on upgrade"
check "-n still passes after the upgrade" grondslag-milter -n

# ---- purge ----
# the console's files are the admin's: removed by hand before the purge
rm -f /etc/grondslag/web/server.crt /etc/grondslag/web/server.key /etc/grondslag/web/client-ca.crt
if dpkg --purge grondslag >"$W/purge.log" 2>&1; then ok "purge"; else not_ok "purge" "$(cat "$W/purge.log")"; fi
for f in /usr/sbin/grondslag-milter /usr/bin/grondslag /etc/grondslag/grondslag.conf \
	/etc/grondslag /var/lib/grondslag/grondslag.db /var/spool/grondslag /run/grondslag; do
	check "purged: $f" sh -c "! test -e '$f'"
done
if [ "$VARLIB" != none ]; then
	check "purge leaves what else was in /var/lib/grondslag" test -d /var/lib/grondslag/geo
fi
installed | comm -13 "$W/packages.before" - | grep -v '^grondslag$' >"$W/packages.new"
# a note, not a check: the EXIT trap purges them again
[ -s "$W/packages.new" ] &&
	echo "# the install pulled in (purged at the end): $(tr '\n' ' ' <"$W/packages.new")"
summary
