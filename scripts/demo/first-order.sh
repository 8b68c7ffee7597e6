#!/usr/bin/env bash
# First order in a few commands: a guest browses, fills a cart, checks out with cash on delivery
# (no card needed), then the demo admin finds the order among the shop's orders. The same commands
# are in the README ("First order in a few commands"); test/e2e/demo-walkthrough.e2e-spec.ts runs
# this script against a freshly seeded shop, so neither can rot.
#
#   bash scripts/demo/first-order.sh                        # against http://localhost:3000 (npm start)
#   bash scripts/demo/first-order.sh http://localhost:3001  # another base URL (or set BASE)
#
# Needs curl and node (any version npm runs on: it parses the JSON). Settings, all optional:
#   PROMO_CODE (default WELCOME10; empty for none), COUNTRY (default DE), GUEST_EMAIL,
#   DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD (default: the demo admin the seed creates).
# Exits non-zero, printing the API's answer, at the first step that fails.
set -euo pipefail

BASE="${1:-${BASE:-http://localhost:3000}}"
PROMO_CODE="${PROMO_CODE-WELCOME10}"
COUNTRY="${COUNTRY:-DE}"
GUEST_EMAIL="${GUEST_EMAIL:-guest@example.com}"
DEMO_ADMIN_EMAIL="${DEMO_ADMIN_EMAIL:-admin@storekeep.test}"
DEMO_ADMIN_PASSWORD="${DEMO_ADMIN_PASSWORD:-storekeep-demo-admin}"

# json EXPR: evaluates the JavaScript expression EXPR over the JSON on standard input (as `r`) and
# prints the result; an error answer (RFC 9457 problem+json) is printed and the command fails.
json() {
  node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const r = JSON.parse(text || "null");
      if (r && typeof r.status === "number" && r.status >= 400) {
        console.error(JSON.stringify(r, null, 2));
        process.exit(1);
      }
      const value = new Function("r", `return (${process.argv[1]});`)(r);
      if (value === undefined) process.exit(1);
      console.log(typeof value === "object" ? JSON.stringify(value) : value);
    });' "$1"
}

echo "== 1. Browse: products in stock"
PRODUCTS=$(curl -sS "$BASE/v1/products?inStock=true&limit=3")
printf '%s' "$PRODUCTS" | json 'r.data.map((p) => `   ${p.title}: from ${(p.priceRange.min / 100).toFixed(2)} ${p.currency}`).join("\n")'
VARIANT_ID=$(printf '%s' "$PRODUCTS" | json 'r.data[0].variants.find((v) => v.inStock).id')
echo "   -> buying variant $VARIANT_ID"

echo "== 2. A guest cart (its token is shown once: keep it)"
CART=$(curl -sS -X POST "$BASE/v1/carts" -H 'content-type: application/json' -d '{}')
CART_ID=$(printf '%s' "$CART" | json 'r.id')
CART_TOKEN=$(printf '%s' "$CART" | json 'r.token')
echo "   cart $CART_ID"

echo "== 3. Add the item"
curl -sS -X POST "$BASE/v1/carts/$CART_ID/items" -H "x-cart-token: $CART_TOKEN" \
  -H 'content-type: application/json' -d "{\"variantId\": \"$VARIANT_ID\", \"quantity\": 1}" \
  | json '`   ${r.lines.length} line(s), subtotal ${r.totals.subtotal} (amounts are in minor units: cents)`'

echo "== 4. Addresses and email"
CART=$(curl -sS -X PUT "$BASE/v1/carts/$CART_ID/addresses" -H "x-cart-token: $CART_TOKEN" \
  -H 'content-type: application/json' \
  -d "{\"email\": \"$GUEST_EMAIL\", \"shippingAddress\": {\"firstName\": \"Ada\", \"lastName\": \"Lovelace\",
       \"line1\": \"Hauptstrasse 1\", \"city\": \"Berlin\", \"postalCode\": \"10115\", \"country\": \"$COUNTRY\"}}")
printf '%s' "$CART" | json 'r.shippingMethods.map((m) => `   offered: ${m.name}, ${m.rate}` + (m.freeOver === null ? "" : ` (free from ${m.freeOver})`)).join("\n")'

echo "== 5. Shipping method"
METHOD_ID=$(printf '%s' "$CART" | json 'r.shippingMethods[0].id')
curl -sS -X PUT "$BASE/v1/carts/$CART_ID/shipping-method" -H "x-cart-token: $CART_TOKEN" \
  -H 'content-type: application/json' -d "{\"shippingMethodId\": \"$METHOD_ID\"}" \
  | json '`   ${r.shippingMethod.name}; total ${r.totals.total}`'

if [ -n "$PROMO_CODE" ]; then
  echo "== 6. Promotion $PROMO_CODE"
  curl -sS -X PUT "$BASE/v1/carts/$CART_ID/promotion" -H "x-cart-token: $CART_TOKEN" \
    -H 'content-type: application/json' -d "{\"code\": \"$PROMO_CODE\"}" \
    | json '`   applied: ${r.promotion.applied}, discount ${r.totals.discount}; total ${r.totals.total}; ready: ${r.checkoutReady}`'
fi

echo "== 7. Check out, cash on delivery"
ORDER=$(curl -sS -X POST "$BASE/v1/carts/$CART_ID/checkout" -H "x-cart-token: $CART_TOKEN" \
  -H "idempotency-key: $(node -p 'crypto.randomUUID()')" \
  -H 'content-type: application/json' -d '{"paymentMethod": "cash_on_delivery"}')
ORDER_ID=$(printf '%s' "$ORDER" | json 'r.id')
ORDER_NUMBER=$(printf '%s' "$ORDER" | json 'r.number')
printf '%s' "$ORDER" | json '`   order ${r.number} (${r.status}), total ${r.totals.total}`'

echo "== 8. The demo admin signs in and lists the shop's orders"
ADMIN_TOKEN=$(curl -sS -X POST "$BASE/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\": \"$DEMO_ADMIN_EMAIL\", \"password\": \"$DEMO_ADMIN_PASSWORD\"}" | json 'r.accessToken')
ORDERS=$(curl -sS "$BASE/v1/admin/orders?limit=5" -H "authorization: Bearer $ADMIN_TOKEN")
printf '%s' "$ORDERS" | json 'r.data.map((o) => `   ${o.number}  ${o.status}  ${o.email}`).join("\n")'
printf '%s' "$ORDERS" | ORDER_ID="$ORDER_ID" json 'r.data.some((o) => o.id === process.env.ORDER_ID) || undefined' >/dev/null \
  || { echo "order $ORDER_NUMBER is missing from /v1/admin/orders" >&2; exit 1; }

echo "First order placed: $ORDER_NUMBER ($ORDER_ID)"
