# syntax=docker/dockerfile:1
# SyncGateway container image. Build from the repository root:
#   docker build -t sync-gateway .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore in its own layer: it is rebuilt only when a project file or the central package versions change.
COPY global.json Directory.Build.props Directory.Packages.props SyncGateway.sln ./
COPY src/SyncGateway.Contracts/SyncGateway.Contracts.csproj src/SyncGateway.Contracts/
COPY src/SyncGateway/SyncGateway.csproj src/SyncGateway/
RUN dotnet restore src/SyncGateway/SyncGateway.csproj

COPY src/ src/
RUN dotnet publish src/SyncGateway/SyncGateway.csproj -c Release -o /app --no-restore /p:UseAppHost=false

# The regular (Ubuntu) runtime image rather than -chiseled: it has bash, which the HEALTHCHECK below uses to call
# /health/live without curl or wget, and sleep, which the chart's preStop hook runs. Kubernetes ignores HEALTHCHECK
# and uses the chart's probes instead.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .

ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_NOLOGO=1 \
    Spool__Path=/var/lib/sync-gateway/spool.db
EXPOSE 8080

# The spool (events the broker had not confirmed in time, kept until they are forwarded) lives outside the container's
# writable layer so that it outlives the container; the chart mounts a persistent volume here.
RUN install -d -o "$APP_UID" -g "$APP_UID" -m 0750 /var/lib/sync-gateway
VOLUME ["/var/lib/sync-gateway"]

# The image's built-in non-root user (uid 1654).
USER $APP_UID

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["dotnet", "SyncGateway.dll"]
