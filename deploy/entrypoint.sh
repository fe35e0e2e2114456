#!/bin/sh
# Container entrypoint of the billing image.
#
#   serve        (default) start the service named by $SERVICE with granian
#   healthcheck  exit 0 if that service answers 200 on /health/ready
#   anything else is executed as given, e.g. `python -m shared.ops --help`
#
# SERVICE: gateway (default) | payments | accounts | invoicing | telephony | notifications
# Port: $PORT if set, else $<SERVICE>_HTTP_PORT if set, else the service's default below.
set -eu

SERVICE="${SERVICE:-gateway}"

case "$SERVICE" in
    gateway)       default_port=8100 ;;
    payments)      default_port=8101 ;;
    accounts)      default_port=8102 ;;
    invoicing)     default_port=8103 ;;
    telephony)     default_port=8104 ;;
    notifications) default_port=8105 ;;
    *)
        echo "entrypoint: unknown SERVICE='$SERVICE' (expected gateway, payments, accounts, invoicing, telephony or notifications)" >&2
        exit 64
        ;;
esac

# $SERVICE is one of the names above, so the variable name built from it is safe to eval.
port_var="$(echo "$SERVICE" | tr '[:lower:]' '[:upper:]')_HTTP_PORT"
eval "service_port=\${$port_var:-}"
PORT="${PORT:-${service_port:-$default_port}}"
# Keep the service's own setting (e.g. PAYMENTS_HTTP_PORT) in step with the port it listens on.
export "$port_var=$PORT"

case "${1:-serve}" in
    serve)
        # Refuse to run production with a value still copied from a template.
        if [ "${BILLING_ENV:-prod}" = prod ]; then
            for name in DATABASE_URL INTERNAL_API_TOKEN GATEWAY_TOKEN_SECRET ROBOKASSA_MERCHANT_LOGIN ROBOKASSA_PASSWORD1 \
                        ROBOKASSA_PASSWORD2 WEBHOOK_SECRET; do
                eval "value=\${$name:-}"
                case "$value" in
                    *CHANGE_ME*)
                        echo "entrypoint: $name still holds a CHANGE_ME placeholder" >&2
                        exit 64
                        ;;
                esac
            done
        fi
        if [ ! -f "${APP_HOME:-/app}/services/$SERVICE/app.py" ]; then
            echo "entrypoint: services/$SERVICE/app.py is not in this image (service not implemented yet?)" >&2
            exit 64
        fi
        # One worker per container: each process also runs the service's relay, timers and
        # consumers; scale with more containers/replicas, not granian workers.
        # granian's own start-up lines are plain text: keep them to warnings. In the worker, the
        # service routes every library's records into its JSON log (shared/logging.py).
        exec granian \
            --interface asgi \
            --factory "services.$SERVICE.app:create_app" \
            --host 0.0.0.0 \
            --port "$PORT" \
            --loop uvloop \
            --log-level warning
        ;;
    healthcheck)
        exec python -c '
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
' "http://127.0.0.1:$PORT/health/ready"
        ;;
    *)
        exec "$@"
        ;;
esac
