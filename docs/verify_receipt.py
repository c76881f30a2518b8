"""Check a Plenary comment receipt against the platform's public log. Standard library only.

    python3 verify_receipt.py RECEIPT.json [LOG_URL]

LOG_URL is the platform's API (https://example.org/api/v1); receipts downloaded from
"My feedback" name it already. Prints OK, or one line per failed check, and exits 0 or 1
(2 when called wrongly). The checks, in order:

  commitment  sha256(salt || canonical JSON of your comment) is the commitment in the leaf
  leaf_hash   SHA-256(0x00 || leaf) is the leaf hash (RFC 9162)
  signature   the signed tree head in the receipt verifies with a key the log publishes
  inclusion   the log's audit path puts the leaf in that signed tree
  consistency the log's current (signed) tree extends the one in the receipt
"""

import base64
import hashlib
import json
import sys
import urllib.parse
import urllib.request

# -- Ed25519 signature verification (RFC 8032 §5.1.7), in plain Python --------------------
P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    e, f = (y1 - x1) * (y2 - x2) % P, (y1 + x1) * (y2 + x2) % P
    g, h = 2 * t1 * t2 * D % P, 2 * z1 * z2 % P
    e, f, g, h = f - e, h - g, h + g, f + e
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _times(n, point):
    result = (0, 1, 1, 0)
    while n:
        if n & 1:
            result = _add(result, point)
        point, n = _add(point, point), n >> 1
    return result


def _x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    return P - x if (x & 1) != sign else x


def _point(raw):
    if len(raw) != 32:
        return None
    n = int.from_bytes(raw, "little")
    y, x = n & ((1 << 255) - 1), _x(n & ((1 << 255) - 1), n >> 255)
    return None if x is None else (x, y, 1, x * y % P)


_BY = 4 * pow(5, P - 2, P) % P
BASE = (_x(_BY, 0), _BY, 1, _x(_BY, 0) * _BY % P)


def ed25519_ok(public, message, signature):
    a, r = _point(public), _point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or len(signature) != 64 or s >= Q:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % Q
    left, right = _times(s, BASE), _add(r, _times(k, a))
    return (left[0] * right[2] - right[0] * left[2]) % P == 0 and (
        left[1] * right[2] - right[1] * left[2]
    ) % P == 0


# -- RFC 9162 §2.1 hashes and proof verification ---------------------------------------------


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def included(leaf_hash, index, size, path, root):
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistent(first, second, first_root, second_root, path):
    if first == second:
        return not path and first_root == second_root
    if not 0 < first < second or not path:
        return False
    path = ([first_root] if first & (first - 1) == 0 else []) + list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


# -- the receipt ----------------------------------------------------------------------------


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fetch(log, path, **params):
    url = f"{log}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310
        return json.load(answer)


def signed(head, keys):
    key = keys.get(head.get("key_id"))
    fields = {k: head.get(k) for k in ("tree_size", "root_hash", "timestamp", "key_id")}
    try:
        sig = base64.b64decode(head.get("signature", ""), validate=True)
        return key is not None and ed25519_ok(base64.b64decode(key), canonical(fields), sig)
    except ValueError:
        return False


def check(receipt, log):
    failures = []
    leaf_text, sth = receipt["leaf"], receipt["sth"]
    leaf = json.loads(leaf_text)
    salted = bytes.fromhex(receipt["salt"]) + canonical(receipt["comment"])
    if leaf.get("commitment") != hashlib.sha256(salted).hexdigest():
        failures.append("commitment: the comment and salt do not give the leaf's commitment")
    leaf_hash = hashlib.sha256(b"\x00" + leaf_text.encode()).digest()
    if leaf_hash.hex() != receipt["leaf_hash"]:
        failures.append("leaf_hash: the leaf does not hash to the receipt's leaf_hash")
    published = fetch(log, "/log/key")
    keys = {k["key_id"]: k["public_key"] for k in [published, *published.get("previous", [])]}
    if not signed(sth, keys):
        failures.append("signature: the receipt's tree head is not signed by a published key")
    size, index = sth["tree_size"], receipt["leaf_index"]
    path = fetch(log, "/log/proof/inclusion", leaf_index=index, tree_size=size)["audit_path"]
    if not included(leaf_hash, index, size, [bytes.fromhex(h) for h in path],
                    bytes.fromhex(sth["root_hash"])):  # fmt: skip
        failures.append(f"inclusion: leaf {index} is not in the signed tree of size {size}")
    head = fetch(log, "/log")
    if not signed(head, keys):
        failures.append("signature: the log's current tree head is not validly signed")
    proof = fetch(log, "/log/proof/consistency", first=size, second=head["tree_size"])
    if not consistent(size, head["tree_size"], bytes.fromhex(sth["root_hash"]),
                      bytes.fromhex(head["root_hash"]),
                      [bytes.fromhex(h) for h in proof["consistency_path"]]):  # fmt: skip
        failures.append("consistency: the log's current tree does not extend the receipt's")
    return failures


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: python3 verify_receipt.py RECEIPT.json [LOG_URL]", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            receipt = json.load(handle)
        receipt = receipt.get("receipt", receipt)
    except (OSError, ValueError, AttributeError) as error:
        print(f"error: cannot read the receipt: {error}", file=sys.stderr)
        return 2
    log = (argv[2] if len(argv) == 3 else receipt.get("log") or "").rstrip("/")
    if not log.startswith(("http://", "https://")):
        print("error: give the log's address, e.g. https://example.org/api/v1", file=sys.stderr)
        return 2
    if not log.endswith("/api/v1"):
        log += "/api/v1"
    try:
        failures = check(receipt, log)
    except (KeyError, TypeError, ValueError) as error:
        failures = [f"format: the receipt or the log's answer is not as expected ({error})"]
    except OSError as error:
        failures = [f"fetch: {error}"]
    for line in failures:
        print(f"FAIL {line}")
    if not failures:
        print(f"OK: leaf {receipt['leaf_index']} is in the log, which still extends its tree.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
