#!/usr/bin/env bash
# Builds the file tree of the operator image's base layer, with no registry and no Docker: a Java
# runtime cut to the modules the operator uses (jlink, from this machine's Debian JDK, with the
# class-data sharing archive of its classes: faster start, less private metaspace), the
# shared libraries it loads (from this machine's Debian packages: libc6, zlib1g, libstdc++6,
# libgcc-s1), CA certificates, /etc/passwd with the non-root user 65532, and an empty /tmp.
# Jib builds the image FROM scratch with this tree as an extra layer (pom.xml, profile "image").
#
#   src/image/build-rootfs.sh target/image-rootfs
set -euo pipefail

out=${1:?usage: build-rootfs.sh OUT_DIR}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
jlink="$java_home/bin/jlink"
[[ -x $jlink && -d $java_home/jmods ]] || {
  echo "build-rootfs: need a JDK with jmods (Debian: openjdk-17-jdk-headless); JAVA_HOME=$java_home" >&2
  exit 1
}

# From `jdeps --print-module-deps --ignore-missing-deps --multi-release 17` on the shaded jar, plus
# jdk.crypto.ec (TLS with EC keys; loaded as a service, invisible to jdeps).
modules=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.management,jdk.unsupported,jdk.crypto.ec

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/lib64" "$out/lib/x86_64-linux-gnu"
chmod 1777 "$out/tmp"

"$jlink" --module-path "$java_home/jmods" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive \
  --output "$out/opt/java"

# The archive for heaps over 32 GiB (no compressed pointers) is never used with the image's heap.
rm -f "$out/opt/java/lib/server/classes_nocoops.jsa"

# Debian's JDK links its security files to /etc; the image carries real files.
for f in cacerts blocked.certs default.policy public_suffix_list.dat; do
  target="$out/opt/java/lib/security/$f"
  if [[ -L $target || ! -e $target ]]; then
    src=$(readlink -f "$java_home/lib/security/$f")
    rm -f "$target"
    [[ -f $src ]] && cp "$src" "$target"
  fi
done
[[ -s $out/opt/java/lib/security/cacerts ]] || { echo "build-rootfs: no cacerts (Debian: ca-certificates-java)" >&2; exit 1; }

# Shared libraries the runtime loads, copied as regular files under their sonames. AWT's native
# libraries (X11, fonts, sound) are left out: the operator runs headless and never loads them.
libs=$(find "$out/opt/java" -name '*.so' \
  ! -name 'libawt*' ! -name 'libfontmanager.so' ! -name 'libjavajpeg.so' ! -name 'liblcms.so' \
  ! -name 'libmlib_image.so' ! -name 'libsplashscreen.so' ! -name 'libjsound.so' ! -name 'libjawt.so' \
  -print; echo "$out/opt/java/bin/java")
for lib in $(LD_LIBRARY_PATH="$out/opt/java/lib:$out/opt/java/lib/server" ldd $libs 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$out" | sort -u); do
  cp -L "$lib" "$out/lib/x86_64-linux-gnu/$(basename "$lib")"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/ld-linux-x86-64.so.2"
# Drop the AWT libraries whose dependencies are not in the image, so nothing half-works.
find "$out/opt/java" \( -name 'libawt_xawt.so' -o -name 'libsplashscreen.so' -o -name 'libjsound.so' \
  -o -name 'libfontmanager.so' -o -name 'liblcms.so' -o -name 'libjavajpeg.so' -o -name 'libjawt.so' \) -delete

cat > "$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:homecluster operator:/tmp:/sbin/nologin
PASSWD
cat > "$out/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
cat > "$out/etc/nsswitch.conf" <<'NSS'
hosts: files dns
NSS

# The runtime must start inside the tree it ships in, as the image's user, with nothing from the
# host (glibc resolves the launcher's $ORIGIN rpath through /proc, as in a container).
if [[ $(id -u) != 0 ]] || ! unshare --mount true 2>/dev/null; then
  echo "build-rootfs: not root or no mount namespaces here: the runtime is not started as a check" >&2
else
  mkdir -p "$out/proc"
  if ! unshare --mount --propagation private sh -c \
    "mount -t proc proc '$out/proc' && chroot --userspec=65532:65532 '$out' /opt/java/bin/java -version" >/dev/null 2>&1; then
    echo "build-rootfs: the runtime does not start in $out (or this machine cannot chroot):" >&2
    unshare --mount --propagation private sh -c \
      "mount -t proc proc '$out/proc' && chroot --userspec=65532:65532 '$out' /opt/java/bin/java -version" >&2 || true
    rmdir "$out/proc"
    exit 1
  fi
  rmdir "$out/proc"
fi
echo "build-rootfs: $(du -sh "$out" | cut -f1) in $out"
