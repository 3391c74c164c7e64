#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build of conftest's fuzz targets (docs/FUZZING.md). The builder
# gives $CC, $CXX, $CFLAGS (sanitizer and coverage flags) and $LIB_FUZZING_ENGINE; the Makefile
# builds the library and every target with them (FUZZ_ENGINE=external). Everything a target
# needs at run time goes to $OUT: its .options, the dictionaries, its seed corpus, the test PKI
# (found beside the binary: fuzz/fuzz_common.c), and the shared libraries the runner image lacks.
cd "$SRC/conftest"
make -j"$(nproc)" BUILD=build/cflite CC="$CC" OPT="-g" CFLAGS="$CFLAGS" FUZZ_ENGINE=external \
    FUZZ_LD="$CXX" LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" fuzz-targets

mkdir -p "$OUT/vectors/pki" "$OUT/lib"
cp vectors/pki/* "$OUT/vectors/pki/"
cp fuzz/dict/*.dict "$OUT/"
for src in fuzz/targets/*.c; do
    t=$(basename "$src" .c)
    cp "build/cflite/fuzz/$t" "$OUT/"
    cp "fuzz/$t.options" "$OUT/"
    (cd "fuzz/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
done
# The runner image has none of Debian's libxml2, libwbxml, OpenSSL 3, ...: ship them, and let
# the binaries find them there.
for lib in $(ldd "$OUT/xml_parse" | awk '/=> \// { print $3 }' | grep -Ev '/(libc|libm|libpthread|libdl|librt|ld-linux)[.-]'); do
    cp -L "$lib" "$OUT/lib/"
done
for src in fuzz/targets/*.c; do
    patchelf --set-rpath '$ORIGIN/lib' "$OUT/$(basename "$src" .c)" 2>/dev/null ||
        echo "build.sh: patchelf missing: set LD_LIBRARY_PATH=\$OUT/lib on the runner" >&2
done
