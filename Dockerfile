# analytics-mcp in a container next to the database: sshd with the
# forced-command setup of analytics-mcp-deploy(7), each analyst's key tied
# to "analytics-mcp --caller NAME" and run as the service account
# "analytics".
#
#   docker build -t analytics-mcp .
#   docker run -d --name analytics-mcp -p 2222:22 \
#       -v amcp-keys:/etc/analytics-mcp \
#       -v amcp-hostkeys:/etc/ssh/hostkeys \
#       -v amcp-audit:/var/log/analytics-mcp \
#       -v "$PWD/pgpass:/run/secrets/pgpass:ro" \
#       -e DATABASE_URL=postgresql://analytics_ro@db:5432/tracksolid_db \
#       analytics-mcp
#   docker exec -i analytics-mcp analytics-mcp-keys add alice - <alice.pub
#
# The program is built and installed by the same make targets as every
# other installation (make, make unit, make install), so the image cannot
# drift from them.  Hardening flags come from dpkg-buildflags.

FROM debian:bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gcc libc6-dev make pkg-config dpkg-dev \
        libpq-dev libbsd-dev libjsmn-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)" \
    && make clean \
    && make \
    && make unit \
    && for t in tests/unit/*_test; do "$t" >/dev/null || exit 1; done \
    && make DESTDIR=/out PREFIX=/usr install

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpq5 libbsd0 openssh-server socat ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && rm -f /etc/ssh/ssh_host_*
COPY --from=build /out/ /
COPY docker/sshd_config /etc/ssh/sshd_config.d/50-analytics-mcp.conf
COPY docker/entrypoint.sh /usr/local/sbin/analytics-mcp-entrypoint
# The service account: a shell that prints nothing (dash), no usable
# password but not locked (sshd refuses locked accounts without PAM).
# The Match blocks of the installed example go at the end of sshd_config.
RUN useradd --system --create-home --home-dir /var/lib/analytics \
        --shell /bin/sh --password '*' analytics \
    && cat /usr/share/analytics-mcp/examples/sshd_config.example \
        >>/etc/ssh/sshd_config \
    && install -d -m 0750 -o analytics -g analytics /var/log/analytics-mcp
ENV MCP_AUDIT_LOG=/var/log/analytics-mcp/audit.jsonl
VOLUME ["/etc/analytics-mcp", "/etc/ssh/hostkeys", "/var/log/analytics-mcp"]
EXPOSE 22
# sshd needs root; the check, like every session, runs as "analytics".
HEALTHCHECK --interval=60s --timeout=20s --start-period=10s --retries=3 \
    CMD ["runuser", "-u", "analytics", "--", "analytics-mcp", "--check", "--caller", "healthcheck"]
ENTRYPOINT ["/usr/local/sbin/analytics-mcp-entrypoint"]
