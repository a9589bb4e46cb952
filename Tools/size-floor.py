#!/usr/bin/env python3
"""How small the columns of a CloudTrail NDJSON file can get with general-purpose compression.

Issue #11 asks for at most 0.8x Parquet+zstd bytes per event. This measures, on the same events
sorted as a sealed day stores them (account, region, eventTime), what each column costs when the
whole column is one zstd -19 frame with a 128 MiB window and long-distance matching: a floor for
any page-wise layout that keeps point reads. It also measures the two JSON columns cut into pages
of 256 KiB, 1 MiB and 4 MiB, plain and shredded (each scalar routed to a stream of its key path,
the skeletons deduplicated per page), at zstd 9 and 19.

First it counts the uniformly random characters in the events: every distinct UUID (122 random
bits), access key id (16 base32 characters after the prefix, 5 bits each), hex run of 16 or more
(4 bits per character after the first) and base64 run of 32 or more mixing cases and digits (6 bits
per character; session tokens, pagination tokens, x-amz-id-2). No lossless format stores them in
fewer bits, whatever it does with the rest: a floor, not an estimate.

    python3 -m venv /tmp/zv && /tmp/zv/bin/pip install zstandard
    /tmp/zv/bin/python Tools/size-floor.py compare-results/data-1000000-1-30/events.ndjson 200000
"""
import collections
import json
import re
import sys

import zstandard as zstd


def load(path, limit):
    rows = []
    with open(path) as lines:
        for index, line in enumerate(lines):
            if index >= limit:
                break
            event = json.loads(line)
            rows.append((event["recipientAccountId"], event["awsRegion"], event["eventTime"], event))
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
KEY_ID = re.compile(r"(?:AKIA|ASIA|AROA|AIDA)([A-Z2-7]{16,})")
BASE64 = re.compile(r"[A-Za-z0-9+/]{32,}={0,2}")
HEX = re.compile(r"(?<![0-9a-zA-Z])[0-9a-f]{16,}(?![0-9a-zA-Z])")


def random_bits(events):
    """Bits of uniformly random characters per column, each distinct token counted once."""
    seen, bits = set(), collections.Counter()

    def walk(value, column):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, column)
        elif isinstance(value, list):
            for item in value:
                walk(item, column)
        elif isinstance(value, str):
            rest = value
            for token in UUID.findall(rest):
                if token not in seen:
                    seen.add(token)
                    bits[column] += 122
            rest = UUID.sub(" ", rest)
            for match in KEY_ID.finditer(rest):
                if match.group(0) not in seen:
                    seen.add(match.group(0))
                    bits[column] += 5 * len(match.group(1))
            rest = KEY_ID.sub(" ", rest)
            for token in BASE64.findall(rest):
                mixed = re.search("[a-z]", token) and re.search("[A-Z]", token) and re.search("[0-9]", token)
                if mixed and token not in seen:
                    seen.add(token)
                    bits[column] += 6 * len(token.rstrip("="))
            rest = BASE64.sub(" ", rest)
            for token in HEX.findall(rest):
                if token not in seen:
                    seen.add(token)
                    bits[column] += 4 * (len(token) - 1)

    for event in events:
        for key, value in event.items():
            walk(value, key)
    return bits


def compact(value):
    return json.dumps(value, separators=(",", ":")).encode()


def columns(events):
    """Cairn's columns: top-level fields, userIdentity and tlsDetails split one level."""
    result = collections.defaultdict(list)
    for event in events:
        for key, value in event.items():
            if key in ("userIdentity", "tlsDetails") and isinstance(value, dict):
                for inner, item in value.items():
                    result[key + "." + inner].append(compact(item))
            else:
                result[key].append(compact(value))
    return result


def pages(values, budget):
    page, size = [], 0
    for value in values:
        page.append(value)
        size += len(value)
        if size >= budget or len(page) >= 8192:
            yield page
            page, size = [], 0
    if page:
        yield page


def scalars(text):
    """The JSON text with each scalar replaced by NUL, and the scalars with their key paths."""
    skeleton, found, stack, key, expect_key, i = bytearray(), [], [], None, False, 0
    while i < len(text):
        ch = text[i]
        if ch in b"{[":
            stack.append((ch, key))
            skeleton.append(ch)
            i += 1
            expect_key = ch == 0x7B
            continue
        if ch in b"}]":
            stack.pop()
            skeleton.append(ch)
            i += 1
            expect_key = False
            continue
        if ch in b",:":
            skeleton.append(ch)
            i += 1
            expect_key = ch == 0x2C and bool(stack) and stack[-1][0] == 0x7B
            continue
        if ch == 0x22:
            j = i + 1
            while text[j] != 0x22:
                j += 2 if text[j] == 0x5C else 1
            token, i = text[i:j + 1], j + 1
            if expect_key:
                skeleton += token
                key = token
                continue
        else:
            j = i
            while j < len(text) and text[j] not in b",}]: ":
                j += 1
            token, i = text[i:j], j
        path = tuple((c, k if c == 0x7B else None) for c, k in stack) + (key if stack and stack[-1][0] == 0x7B else None,)
        found.append((path, token))
        skeleton.append(0)
    return bytes(skeleton), found


def plain_size(values, budget, level):
    compressor = zstd.ZstdCompressor(level=level)
    return sum(len(compressor.compress(b"\n".join(page))) for page in pages(values, budget))


def shredded_size(values, budget, level):
    compressor = zstd.ZstdCompressor(level=level)
    total = 0
    for page in pages(values, budget):
        skeletons, ids, streams = collections.OrderedDict(), [], collections.defaultdict(list)
        for value in page:
            skeleton, found = scalars(value) if value and value != b"null" else (value, [])
            ids.append(skeletons.setdefault(skeleton, len(skeletons)))
            for path, token in found:
                streams[path].append(token)
        buffer = b"\n".join(skeletons) + bytes(min(i, 255) for i in ids)
        buffer += b"".join(b"\n".join(stream) for stream in streams.values())
        total += len(compressor.compress(buffer))
    return total


def main():
    path, limit = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    events = load(path, limit)
    count = len(events)
    bits = random_bits(events)
    print(f"{count} events; uniformly random characters, a floor for any format: "
          f"{sum(bits.values()) / 8 / count:.2f} bytes/event")
    for name, value in bits.most_common(6):
        print(f"  {name:40s} {value / 8 / count:7.2f}")
    by_column = columns(events)
    params = zstd.ZstdCompressionParameters.from_level(19, window_log=27, enable_ldm=True)
    whole = zstd.ZstdCompressor(compression_params=params)
    sizes = {name: len(whole.compress(b"\n".join(values))) / count for name, values in by_column.items()}
    ids = ("eventID", "requestID")
    print(f"{count} events; whole-column zstd -19 --long, bytes/event")
    print(f"  all columns but eventID and requestID: {sum(v for k, v in sizes.items() if k not in ids):.2f}")
    for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:12]:
        print(f"  {name:40s} {size:7.2f}")
    for name in ("responseElements", "requestParameters"):
        values = [value if value != b"null" else b"" for value in by_column[name]]
        for budget in (256 << 10, 1 << 20, 4 << 20):
            print(
                f"{name} pages of {budget >> 10} KiB: plain zstd 9 {plain_size(values, budget, 9) / count:.2f}, "
                f"19 {plain_size(values, budget, 19) / count:.2f}; shredded zstd 9 "
                f"{shredded_size(values, budget, 9) / count:.2f}, 19 {shredded_size(values, budget, 19) / count:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
