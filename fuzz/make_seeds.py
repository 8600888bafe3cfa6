#!/usr/bin/env python3
"""Writes the seed corpora under corpus/<target>/: a handful of realistic inputs per target.

query, form_and_json and model_parsers take text, written as is. pulse_request and working_time take
structured input decoded by `arbitrary` 1.5; this file encodes it the same way (integers little-endian
from the front, enum variants as a u32 scaled into the variant count, each collection element after
a `true` byte, each string's length as one byte taken from the END of the data, so an input stays
under 256 bytes). Check a seed with `cargo fuzz fmt pulse_request corpus/pulse_request/<file>`.
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


class Enc:
    def __init__(self):
        self.front = bytearray()
        self.back = []  # string lengths, in the order they are read

    def raw(self, fmt, value):
        self.front += struct.pack("<" + fmt, value)
        return self

    def u8(self, v):
        return self.raw("B", v)

    def bool(self, v):
        return self.u8(1 if v else 0)

    def variant(self, i, n):
        x = -(-i * 2**32 // n)
        assert (x * n) >> 32 == i
        return self.raw("I", x)

    def str(self, s):
        b = s.encode() if isinstance(s, str) else bytes(s)
        self.back.append(len(b))
        self.front += b
        return self

    def vec(self, items, each):
        for item in items:
            self.bool(True)
            each(item)
        return self.bool(False)

    def option(self, value, each):
        self.bool(value is not None)
        if value is not None:
            each(value)
        return self

    def bytes(self):
        data = bytes(self.front) + bytes(reversed(self.back))
        assert len(data) <= 256, len(data)
        return data


# pulse_request: the enums' variant indices and counts, as declared in fuzz_targets/pulse_request.rs.
GET, POST = 0, 1
METHODS = 8
PULSE, DASHBOARD, EDIT = 0, 1, 2
PATHS = 4
NAMES = ["host", "category", "type", "name", "threshold", "saturday", "tz", "message", "metadata", "key",
         "secret", "id", "delete", "", "unknown"]
VALUES = ["Raw", "Encoded", "Secret", "WrongSecret", "PulseKey", "SeededId", "OtherId", "SeededField",
          "Threshold", "Tz", "Flag", "Empty"]
HEADERS = ["BearerKey", "Bearer", "Authorization", "ContentType", "Other"]
CONTENT_TYPES = ["Form", "FormCharset", "Json", "JsonCharset", "Text", "Other"]
JSON = ["Value", "Int", "Float", "Bool", "Null", "List", "Object", "Raw"]
BODIES = ["Empty", "Form", "Json", "Text", "Bytes", "Oversized"]
BERLIN, KOLKATA, NEW_YORK, UTC = 433, 284, 170, 592


def name(e, n):
    e.variant(0, 2).u8(NAMES.index(n))


def value(e, v):
    kind, arg = v if isinstance(v, tuple) else (v, None)
    e.variant(VALUES.index(kind), len(VALUES))
    if kind in ("Raw", "Encoded"):
        e.str(arg)
    elif kind == "SeededField":
        e.u8(arg)
    elif kind == "Threshold":
        e.raw("Q", arg)
    elif kind == "Tz":
        e.raw("H", arg)
    elif kind == "Flag":
        e.bool(arg)


def pair(e, p):
    n, v = p
    name(e, n)
    value(e, v)
    e.bool(False)


def json_member(e, m):
    n, (kind, arg) = m
    name(e, n)
    e.variant(JSON.index(kind), len(JSON))
    if kind == "Value":
        value(e, arg)
    elif kind == "Int":
        e.raw("q", arg)
    elif kind == "Object":
        e.vec(arg, lambda kv: (e.str(kv[0]), e.str(kv[1])))
    elif kind == "Raw":
        e.str(arg)


def header(e, h):
    kind, arg = h
    e.variant(HEADERS.index(kind), len(HEADERS))
    if kind in ("Bearer", "Authorization", "ContentType"):
        e.str(arg)


KEY = [("host", ("SeededField", 0)), ("category", ("SeededField", 1)), ("type", ("SeededField", 2)),
       ("name", ("SeededField", 3))]
OPEN = [("secret", "Secret"), ("id", "SeededId")]


def request(method, path, query, body=("Empty", None), content_type=None, headers=(), api_gateway=False,
            keyed=False, now_offset=0, last_offset=-3600, threshold_ms=86_400_000, tz=BERLIN, alerted=False,
            message=None, metadata=None):
    e = Enc()
    e.variant(method, METHODS).variant(path, PATHS)
    e.vec(query, lambda p: pair(e, p))
    e.bool(api_gateway)
    e.vec(headers, lambda h: header(e, h))
    e.option(content_type, lambda c: e.variant(CONTENT_TYPES.index(c), len(CONTENT_TYPES)))
    kind, arg = body
    e.variant(BODIES.index(kind), len(BODIES))
    if kind == "Form":
        e.vec(arg, lambda p: pair(e, p))
    elif kind == "Json":
        e.vec(arg, lambda m: json_member(e, m))
    elif kind in ("Text", "Bytes"):
        e.str(arg)
    elif kind == "Oversized":
        e.u8(arg)
    e.bool(keyed).raw("i", now_offset)
    # Seeded: last_offset, threshold_millis, saturday, tz, message, metadata, alerted.
    e.raw("i", last_offset).raw("Q", threshold_ms - 1).bool(False)
    e.option(tz, lambda t: e.raw("H", t))
    e.option(message, e.str)
    e.option(metadata, e.str)
    e.bool(alerted)
    return e.bytes()


def pulse_request():
    t = "pulse_request"
    write(t, "get_pulse", request(GET, PULSE, KEY))
    write(t, "get_pulse_settings", request(GET, PULSE, KEY + [("threshold", ("Threshold", 5_400_000)),
                                                             ("saturday", ("Flag", True)), ("tz", ("Tz", KOLKATA))]))
    write(t, "get_pulse_api_gateway", request(GET, PULSE, KEY + [("message", ("Encoded", "ok: 1.2 GiB"))],
                                              api_gateway=True))
    write(t, "post_pulse_form_keyed", request(POST, PULSE, [], body=("Form", KEY + [("key", "PulseKey")]),
                                              content_type="FormCharset", keyed=True))
    write(t, "post_pulse_json_bearer", request(
        POST, PULSE, KEY[:2], body=("Json", [("type", ("Value", ("SeededField", 2))),
                                             ("name", ("Value", ("SeededField", 3))),
                                             ("metadata", ("Object", [("rows", "42")]))]),
        content_type="Json", headers=[("BearerKey", None)], keyed=True))
    write(t, "get_pulse_bad_escape", request(GET, PULSE, KEY[:3] + [("name", ("Raw", "a%ZZ%C3"))]))
    write(t, "get_dashboard", request(GET, DASHBOARD, [("secret", "Secret")], alerted=True, last_offset=-200_000,
                                      message="dump <b>ok</b>", metadata='{"rows":42}'))
    write(t, "get_edit", request(GET, EDIT, OPEN, tz=None, message="done"))
    write(t, "post_edit_save", request(POST, EDIT, OPEN, content_type="Form", body=(
        "Form", [("threshold", ("Threshold", 1_800_000)), ("saturday", ("Flag", True)), ("tz", ("Tz", NEW_YORK))])))
    write(t, "post_edit_invalid", request(POST, EDIT, OPEN, content_type="Form", body=(
        "Form", [("threshold", ("Encoded", "1e3")), ("tz", ("Encoded", "Mars/Base"))])))
    write(t, "post_edit_delete", request(POST, EDIT, OPEN, content_type="Form", body=("Form", [("delete", ("Flag", True))])))


def working_time():
    # last, now (ms since 1970), near (ms around the boundary), threshold (ms), zone index, days - 1, far.
    mon_fri, mon_sat, every_day, sundays = 31 - 1, 63 - 1, 127 - 1, 64 - 1
    cases = {
        "fri_evening_24h_utc": (1_795_197_600_000, 1_795_435_200_000, 1, 86_400_000, UTC, mon_fri),
        "berlin_dst_start": (1_774_630_800_000, 1_774_890_000_000, -1, 86_400_000, BERLIN, mon_fri),
        "berlin_dst_end_sundays": (1_792_879_200_000, 1_793_404_800_000, 0, 90_000_000, BERLIN, sundays),
        "kolkata_mon_sat": (1_795_233_600_000, 1_795_500_000_000, 1000, 3_600_000, KOLKATA, mon_sat),
        "apia_skipped_day": (1_325_196_000_000, 1_325_412_000_000, 1, 43_200_000, 529, mon_fri),
        "santiago_skipped_midnight": (1_788_609_600_000, 1_788_912_000_000, -5, 3_600_000, 198, sundays),
        "longest_threshold": (1_795_197_600_000, 1_840_000_000_000, 0, 8760 * 3_600_000, BERLIN, mon_fri),
        "clock_skew": (1_795_435_200_000, 1_795_431_600_000, 1, 900_000, NEW_YORK, every_day),
    }
    for label, (last, now, near, threshold, tz, days) in cases.items():
        # `now` as an offset from `last` (far = 0), as the target reads it.
        write("working_time", label, struct.pack("<qqiqHBB", last, now - last, near, threshold - 1, tz, days, 0))
    # One far case: `now` read as an instant anywhere in 1970-2200.
    write("working_time", "far_now", struct.pack("<qqiqHBB", 100_000_000_000, 7_000_000_000_000, 0, 3_600_000 - 1,
                                                  BERLIN, mon_fri, 15))


def text_seeds():
    for label, text in {
        "pulse": "host=web-1&category=backup&type=db&name=nightly",
        "settings": "host=web-1&category=backup&type=db&name=nightly&threshold=1.5&saturday=1&tz=Europe%2FBerlin",
        "node_client": "host=web 1&category=cron&type=node&name=db+dump/1&message=ok",
        "unicode": "host=%C3%A9t%C3%A9&category=a%20b&type=c%2Bd&name=%E6%97%A5",
        "dashboard": "secret=s3cr%26t",
        "edit": "secret=s3cr%26t&id=" + "ab" * 32,
        "malformed": "host=%ZZ&name=%C3&type=%+1&flag&&=",
        "duplicate": "host=a&host=b&key=k3y",
    }.items():
        write("query", label, text)
    for label, text in {
        "form": "host=web-1&category=backup&type=db&name=nightly+dump&threshold=1.5&saturday=1"
                "&message=dump+ok%3A+1.2+GiB&metadata=%7B%22rows%22%3A42%7D",
        "form_edit": "threshold=0.25&saturday=on&tz=America%2FNew_York",
        "form_bad": "metadata=%5B1%5D&threshold=abc&host=%FF",
        "json": '{"host":"web-1","category":"backup","type":"db","name":"nightly","threshold":1.5,'
                '"saturday":true,"metadata":{"rows":42,"ok":true},"message":null}',
        "json_duplicate": '{"host":"a","host":"b","metadata":{},"metadata":{}}',
        "json_nested": '{"host":["a"],"name":{"x":1},"n":1e400}',
        "json_not_object": '[{"host":"a"}]',
        "whitespace": " \n\t",
    }.items():
        write("form_and_json", label, text)
    for label, text in {
        "valid": "web-1\nbackup\ndb\nnightly\n24\nEurope/Berlin\n2026-11-21T17:03:09.123Z\n" + "0123456789abcdef" * 4,
        "thresholds": "0.25\n.5\n 48 \n8760\n24.000\n0\n1e3\n8760.5\n0.0000001",
        "zones": "UTC\nAmerica/New_York\n Asia/Kolkata \nMars/Base\n+02:00\neurope/berlin",
        "stamps": "2026-11-21T18:03:09.123+01:00\n2026-11-21T17:03:09Z\n9999-12-31T23:59:59-01:00\n"
                  "0000-01-01T00:00:00+01:00\n2016-12-31T23:59:60.5Z",
        "key_control": "a\tb\n\nc\u007f\n" + "x" * 257,
        "ids": "A" * 64 + "\n" + "g" * 64 + "\n" + "0" * 65,
    }.items():
        write("model_parsers", label, text)


if __name__ == "__main__":
    text_seeds()
    working_time()
    pulse_request()
