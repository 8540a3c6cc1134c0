# qmail_exporter image: the compiled exporter (and the check_qmail_exporter Nagios plugin) on
# node:20-slim, running as the unprivileged user qmail_exporter.
#
#   docker build -t qmail_exporter .
#   docker run -d -p 9025:9025 --group-add "$(stat -c %g /var/log/maillog)" \
#     -v /var/log:/var/log/mail:ro -v qmail_exporter-state:/var/lib/qmail_exporter qmail_exporter
#
# The mail log is mounted read-only; the container user must be in a group that may read it
# (--group-add with the log file's group id: 4 (adm) on Debian, see docs/install.md).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
# a heap cap keeps RSS near the live heap, small semi-spaces keep the young generation at 8 MB
# (see contrib/systemd/qmail_exporter.service and docs/benchmarks.md)
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=4"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN groupadd --system qmail_exporter \
 && useradd --system --gid qmail_exporter --home-dir /var/lib/qmail_exporter --shell /usr/sbin/nologin qmail_exporter \
 && mkdir -p /var/lib/qmail_exporter \
 && chown qmail_exporter:qmail_exporter /var/lib/qmail_exporter
USER qmail_exporter
EXPOSE 9025
VOLUME ["/var/lib/qmail_exporter"]
# The health check is the bundled Nagios plugin in health mode (node:20-slim has no curl): /healthz
# 503 (a followed file missing or unreadable) or no answer is unhealthy. With --web.config.file
# (TLS, basic authentication) tell it how to reach the exporter, e.g.
#   docker run -e QMAIL_EXPORTER_HEALTHCHECK_ARGS='-S --insecure -a healthcheck:PASSWORD' ...
# (-S HTTPS, --insecure for a self-signed certificate, -a a basic-auth user; best one of its own).
# QMAIL_EXPORTER_HEALTHCHECK_PORT follows a --web.listen-address on another port.
ENV QMAIL_EXPORTER_HEALTHCHECK_PORT=9025 QMAIL_EXPORTER_HEALTHCHECK_ARGS=""
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD node /app/dist/nagios/check-qmail-exporter.js -H 127.0.0.1 -p "$QMAIL_EXPORTER_HEALTHCHECK_PORT" -t 4 $QMAIL_EXPORTER_HEALTHCHECK_ARGS || exit 1
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--qmail.log-path=/var/log/mail/maillog", "--storage.path=/var/lib/qmail_exporter"]
