#!/usr/bin/python3
"""make_corpus.py - the seed corpora of the fuzz targets, small and
deterministic (standard library only; the .h5 seeds are copies of
tests/fixtures/h5/, written by h5py):
    /usr/bin/python3 tests/fuzz/make_corpus.py
Crashes found later go into tests/fuzz/corpus/NAME/ by hand, named
crash-WHAT, with a regression test beside the code they broke."""
import gzip
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def copy(target, src, name=None):
    with open(src, "rb") as f:
        put(target, name or os.path.basename(src), f.read())


# npy: the reader's own fixtures (f4, f8, u1, i8, big-endian, Fortran, 0-d, empty)
for n in ["f4", "f8", "u1", "i8", "big_endian", "fortran", "scalar", "empty"]:
    copy("npy", os.path.join(FIX, "npy_%s.npy" % n))

# IDX: unsigned bytes, 1-d to 3-d, plain and gzip
def idx(dims, body):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + body

put("idx", "vec.idx", idx([5], bytes(range(5))))
put("idx", "img.idx", idx([2, 3, 3], bytes(range(18))))
put("idx", "img.idx.gz", gzip.compress(idx([2, 2, 2], bytes(range(8))), mtime=0))
put("idx", "labels.idx", idx([4], bytes([1, 0, 9, 3])))

# PNG: gray, gray+alpha, RGB, RGBA, 8 and 16 bits, a palette, interlaced
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(w, h, depth, ctype, rows, extra=b"", interlace=0):
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace))
            + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

put("png", "gray8.png", png(3, 2, 8, 0, [bytes([0, 128, 255]), bytes([1, 2, 3])]))
put("png", "rgb8.png", png(2, 2, 8, 2, [bytes(range(6)), bytes(range(6, 12))]))
put("png", "rgba8.png", png(2, 1, 8, 6, [bytes(range(8))]))
put("png", "ga8.png", png(2, 1, 8, 4, [bytes([10, 255, 20, 128])]))
put("png", "gray16.png", png(2, 1, 16, 0, [bytes([0, 1, 255, 255])]))
put("png", "rgb16.png", png(1, 1, 16, 2, [bytes(range(6))]))
put("png", "palette.png", png(2, 1, 8, 3, [bytes([0, 1])],
                               extra=chunk(b"PLTE", bytes([255, 0, 0, 0, 0, 255]))))
put("png", "gamma.png", png(1, 1, 8, 0, [b"\x80"], extra=chunk(b"gAMA", struct.pack(">I", 45455))))
put("png", "interlaced.png", png(1, 1, 8, 0, [b"\x11"], interlace=1))
copy("png", os.path.join(FIX, "book", "chapters", "cha", "pic.png"))

# CSV: the first byte is the options (see fuzz_csv.c)
put("csv", "plain.csv", b"\0a,b,c\n1,2.5,x\n3,,y\n")
put("csv", "quoted.csv", b"\0name,note\n\"Kim, A\",\"said \"\"hi\"\"\"\n\"multi\nline\",NA\n")
put("csv", "crlf_bom.csv", b"\0\xef\xbb\xbfx;y\r\n1;True\r\n2;false\r\n")
put("csv", "semicolon.csv", b"\x01x;y\n1;2\n3;4\n")
put("csv", "noheader.csv", b"\x08" + b"1,2\n3,4\n5,6\n")
put("csv", "na.csv", b"\x40v,w\nx,1e3\nnan,-inf\n")

# gzip: text, empty, two members, a plain file
put("gzip", "text.gz", gzip.compress(b"a,b\n1,2\n" * 10, mtime=0))
put("gzip", "empty.gz", gzip.compress(b"", mtime=0))
put("gzip", "two_members.gz", gzip.compress(b"first\n", mtime=0) + gzip.compress(b"second\n", mtime=0))
put("gzip", "plain.txt", b"not compressed\n")

# h5: Keras weight files (fixed- and variable-length names, float64 chunked)
for n in ["cnn_fixed", "cnn_vlen", "vgg_style_f64_chunked"]:
    copy("h5", os.path.join(FIX, "h5", n + ".h5"))
# and two on which libhdf5 crashes or loops (make_hostile_h5.py): every
# smoke run goes through the child's crash and its CPU limit once
for n in ["crash_1", "loop_1"]:
    copy("h5", os.path.join(FIX, "hostile", "h5", n + ".h5"), "libhdf5_" + n + ".h5")

# libsvm and liblinear model files, as their save functions write them
put("svm", "rbf.model", b"svm_type c_svc\nkernel_type rbf\ngamma 0.5\nnr_class 2\n"
    b"total_sv 2\nrho 0.1\nlabel 1 -1\nnr_sv 1 1\nSV\n1 1:0.5 2:-1 \n-1 1:-0.5 2:1 \n")
put("svm", "poly3.model", b"svm_type c_svc\nkernel_type polynomial\ndegree 3\ngamma 1\n"
    b"coef0 0\nnr_class 3\ntotal_sv 3\nrho 0.1 0.2 -0.3\nlabel 0 1 2\nnr_sv 1 1 1\nSV\n"
    b"1 0 1:1 \n0 1 2:1 \n-1 -1 1:-1 2:-1 \n")
put("svm", "linear_kernel_crlf.model", b"svm_type c_svc\r\nkernel_type linear\r\nnr_class 2\r\n"
    b"total_sv 2\r\nrho 0\r\nlabel 0 1\r\nnr_sv 1 1\r\nSV\r\n1 1:1 \r\n-1 1:-1 \r\n")
put("svm", "linear.model", b"solver_type L2R_L2LOSS_SVC\nnr_class 2\nlabel 1 -1\n"
    b"nr_feature 2\nbias -1\nw\n0.5 \n-0.25 \n")
put("svm", "linear3.model", b"solver_type L2R_LR\nnr_class 3\nlabel 0 1 2\n"
    b"nr_feature 2\nbias 1\nw\n0.5 0.1 -1 \n-0.25 0 1 \n1 2 3 \n")

# Markdown: the renderer's test pages and the shapes that once hurt it
copy("md", os.path.join(FIX, "book", "chapters", "cha", "index.md"), "cha.md")
copy("md", os.path.join(FIX, "book", "chapters", "chb", "index.md"), "chb.md")
put("md", "include.md", "# 포함\n\n```lua include=lab1.lua anchor=compute run\n```\n\n"
    "```text include=data.txt\n```\n".encode())
put("md", "math.md", b"$a_1$ $$b|c$$ \\$ `$x$` $x\n\n$$\nE = mc^2\n$$\n")
put("md", "nested.md", b"> > > - 1. [![a](b.png)](c.md#d) **$x$**\n")
put("md", "table.md", b"| a | b |\n|---|:-:|\n| $x|y$ | [l](x.md) |\n\n<div>$raw$</div>\n")
put("md", "headings.md", "# 같은 제목\n\n## 같은 제목\n\nSetext\n===\n\n[링크](#같은-제목-1)\n".encode())
# deep nesting and many spans (the full-size cases are in book_hostile.lua)
put("md", "deep_quote.md", b">" * 4000 + b" $x$ [l](a.md)\n")
put("md", "nested_images.md", b"![" * 500 + b"x" + b"](a.png)" * 500 + b"\n")
put("md", "many_spans.md", b"$x_i$ " * 1000 + b"\n")
# JSON (frame.read_json): records, escapes and unicode, nulls and mixed
# types, nesting, the other pandas orients it refuses, numbers
put("json", "records.json", b'[{"a": 1, "b": "x", "c": true}, {"a": 2.5, "b": "y", "c": false}]\n')
put("json", "unicode.json", '[{"이름": "김\\u00e9\\ud55c", "v": "\\"q\\" \\\\ \\/ \\n\\t"}]'.encode())
put("json", "nulls.json", b'[{"x": null, "y": 1}, {"y": null, "z": "s"}, {}]')
put("json", "mixed.json", b'[{"k": 1}, {"k": "one"}, {"k": true}, {"k": -1.5e-3}]')
put("json", "nested.json", b'[{"a": {"b": [1, 2, {"c": null}]}}]')
put("json", "columns.json", b'{"a": {"0": 1, "1": 2}, "b": {"0": "x", "1": "y"}}')
put("json", "deep.json", b"[" * 300 + b"]" * 300)
# one past the depth limit (a million '[' ran for more than ten minutes)
put("json", "deep_1001.json", b"[" * 1001 + b"]" * 1001)
put("json", "surrogates.json", b'[{"s": "\\ud83d\\ude00 \\udc00 \\ud800x"}]')
put("json", "numbers.json", b'[{"n": 0}, {"n": -0.0}, {"n": 1E400}, {"n": 12345678901234567890}, {"n": 1.}]')
put("json", "empty.json", b"[]")
put("json", "bad_escape.json", b'[{"a": "\\x"}]\n[')

# tensor programs (fuzz_tensor.c): op byte, argument count, tagged values
MAKERS = ["new", "zeros", "ones", "full", "arange", "linspace", "logspace", "rand",
          "randn", "eye", "randperm", "randint", "frombytes", "concat", "stack",
          "meshgrid", "call"]
METHODS = ["reshape", "flatten", "permute", "transpose", "select", "slice", "index",
           "tile", "repeat", "split", "totable", "tostring", "sum", "get", "newindex",
           "contiguous", "clone", "astype", "item", "shape"]
INTS = [0, 1, 2, 3, 4, 5, 6, 8, 16, 100, -1, -2, -3, 1 << 20, 1 << 31, (1 << 31) - 1,
        1 << 32, 1 << 40, 1 << 62, 2**63 - 1, -2**63]
FLOATS = [0.0, -0.0, 0.5, 1.5, -2.5, 1e-300, 1e300, "inf", "-inf", "nan", 3.0]
STRS = ["float32", "float64", "int32", "", "x", "3", "dtype", "num", "endpoint"]
OPTS = ["dtype", "num", "endpoint", "base", "axis", "dim", "step", "n", "k", "size",
        "replace", "low", "high", "indexing", "dims"]


def v_int(n):            # 0..11 small, else one of INTS
    return [0, n] if 0 <= n < 12 else [1, INTS.index(n)]


def v_float(x):
    return [2, FLOATS.index(x)]


def v_str(x):
    return [4, STRS.index(x)]


def v_arr(*items):
    return [7, len(items)] + sum(items, [])


def v_opts(**kw):
    out = [9, len(kw)]
    for k, v in kw.items():
        out += [OPTS.index(k)] + v
    return out


def v_shape(*dims):
    out = [11, len(dims)]
    for d in dims:
        out += [d] if 0 <= d < 12 else [192 + INTS.index(d)]
    return out


def v_matrix(rows):      # values are b / 8 - 16
    out = [13, len(rows) - 1]
    for r in rows:
        out += [len(r) - 1] + [int((x + 16) * 8) for x in r]
    return out


def make(name, *args, raw=b""):
    op = next(o for o in range(256) if o % 3 != 2 and o % len(MAKERS) == MAKERS.index(name))
    out = [op, len(args)] + sum(args, [])
    if name == "frombytes":
        out += [len(raw)] + list(raw)
    return out


def method(name, tensor, *args):
    op = next(o for o in range(256) if o % 3 == 2 and o // 3 % len(METHODS) == METHODS.index(name))
    return [op, len(args)] + sum(args, []) + [tensor]


def program(name, *steps):
    put("tensor", name, bytes(sum(steps, [])))


program("matrix", make("call", v_matrix([[1, 2], [3, 4.5]])), method("tostring", 0))
program("nested3d", make("new", v_arr(v_arr(v_arr(v_int(1), v_int(2)), v_arr(v_int(3), v_int(4))),
                                      v_arr(v_arr(v_int(5), v_int(6)), v_arr(v_int(7), v_int(8))))),
        method("permute", 0, v_int(3), v_int(1), v_int(2)), method("totable", 1))
program("ragged", make("call", v_arr(v_arr(v_int(1), v_int(2)), v_arr(v_int(3)))))
program("holey", make("call", [12, 1, 0, 3, 3, 0, 5]))
program("zeros_reshape", make("zeros", v_int(2), v_int(3), v_int(4)),
        method("reshape", 0, v_int(4), v_int(-1)), method("reshape", 1, v_shape(3, 8)),
        method("flatten", 1), method("transpose", 0, v_int(1), v_int(3)))
program("ones_dtype", make("ones", v_shape(2, 2), v_opts(dtype=v_str("float64"))),
        method("astype", 0, v_str("float32")))
program("full", make("full", v_shape(3, 1), v_float(1.5)), method("tile", 0, v_int(2), v_int(3)))
program("arange", make("arange", v_int(0), v_int(10), v_int(2)), method("split", 0, v_int(5)))
program("linspace", make("linspace", v_int(0), v_int(1), v_int(5)),
        make("logspace", v_int(0), v_int(2), v_opts(num=v_int(3), base=v_int(2))))
program("randn", make("randn", v_int(3), v_int(4)), make("rand", v_shape(2, 5)),
        method("select", 0, v_int(1), v_int(2)), method("slice", 0, v_int(1), v_int(1), v_int(3)))
program("eye_randperm", make("eye", v_int(3)), make("randperm", v_int(6)),
        make("randint", v_int(0), v_int(5), v_shape(2, 2)))
program("frombytes", make("frombytes", v_shape(2, 2), raw=bytes(range(16))),
        method("index", 0, v_int(1)), method("newindex", 0, v_int(2), v_float(0.5)))
program("concat_stack", make("zeros", v_int(2), v_int(2)), make("ones", v_int(2), v_int(2)),
        make("concat", v_arr([10, 0], [10, 1]), v_int(1)), make("stack", v_arr([10, 0], [10, 1])),
        make("meshgrid", [10, 0], [10, 1]))
program("huge", make("zeros", v_int(1 << 20), v_int(1 << 20)), make("ones", v_shape(1 << 31, 1 << 31)),
        make("zeros", v_int(-1)), make("arange", v_int(0), v_float("inf")),
        make("linspace", v_int(0), v_int(1), v_int(1 << 62)), make("full", v_shape(2), v_float("nan")))
program("reshape_odd", make("arange", v_int(6)), method("reshape", 0, v_int(-1), v_int(-1)),
        method("reshape", 0, v_int(0), v_int(-1)), method("reshape", 0, v_int(2**63 - 1), v_int(2)),
        method("reshape", 0, v_int(-2**63)), method("reshape", 0, v_arr(v_int(2), v_float(1.5))))

print("wrote", os.path.join(HERE, "corpus"))
