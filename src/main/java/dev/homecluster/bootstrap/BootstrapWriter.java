package dev.homecluster.bootstrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes the bootstrap files into a new or empty directory: every directory 0700, every file 0600
 * from the moment it exists (most hold private keys, and the rest are only useful with them). It
 * never overwrites: a second run makes new CAs, which would not match a cluster already built from
 * the first.
 */
public final class BootstrapWriter {
  public static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");

  private BootstrapWriter() {}

  /** Thrown with a one-line message for the user. */
  public static final class OutputDirectoryException extends Exception {
    OutputDirectoryException(String message) {
      super(message);
    }
  }

  public static void write(Path dir, List<BootstrapFile> files)
      throws OutputDirectoryException, IOException {
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new OutputDirectoryException(dir + ": exists and is not a directory");
      }
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new OutputDirectoryException(
              dir
                  + ": not empty; render --bootstrap makes new keys each time and never overwrites,"
                  + " so give it a new directory");
        }
      }
      Files.setPosixFilePermissions(dir, DIR_MODE);
    } else {
      createDirectories(dir);
    }
    for (BootstrapFile file : files) {
      Path target = dir.resolve(file.path()).normalize();
      if (!target.startsWith(dir.normalize())) {
        throw new IllegalArgumentException("outside the output directory: " + file.path());
      }
      createDirectories(target.getParent());
      try {
        Files.createFile(target, PosixFilePermissions.asFileAttribute(FILE_MODE));
      } catch (FileAlreadyExistsException e) {
        throw new IllegalStateException("two bootstrap files at " + file.path(), e);
      }
      Files.setPosixFilePermissions(target, FILE_MODE);
      Files.writeString(target, file.content(), StandardCharsets.UTF_8);
    }
  }

  private static void createDirectories(Path dir) throws IOException {
    if (dir == null || Files.isDirectory(dir)) {
      return;
    }
    createDirectories(dir.toAbsolutePath().getParent());
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
    // The umask may have narrowed the mode further; never wider than 0700 either way.
    Files.setPosixFilePermissions(dir, DIR_MODE);
  }
}
