package dev.routellm.embedding;

import dev.routellm.InvalidFileException;
import dev.routellm.internal.BoundedFiles;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link Embedder} that remembers every vector on disk, keyed by the delegate's {@link Embedder#id() id} and the
 * SHA-256 of the text, so that evaluating or training again on the same prompts embeds nothing. Each embedder id
 * gets its own append-only file in the cache directory; a vector is written once, when first computed.
 *
 * <p>Each record carries a CRC-32C of its key and vector, checked when the file is opened, so a damaged record is
 * reported rather than served. A file of the earlier format (version 1, without checksums) is emptied with one
 * warning and rebuilt as texts are embedded.
 *
 * <p>Thread-safe. Closing flushes and closes the cache file; it does not close the delegate, which the caller owns.
 * After closing, {@link #embed} and {@link #embedAll} throw {@link IllegalStateException}, whether or not the text is
 * cached. A file cut short by a crash loses only its incomplete last record, which is recomputed.
 */
public final class CachingEmbedder implements Embedder {
  private static final System.Logger LOG = System.getLogger(CachingEmbedder.class.getName());
  private static final int MAGIC = 0x524c4543; // "RLEC"
  /** Version 2 added a CRC-32C to every record. */
  private static final int VERSION = 2;
  private static final int KEY_BYTES = 32;
  private static final int CHECKSUM_BYTES = 4;

  private final Embedder delegate;
  private final Path file;
  private final Map<Key, float[]> vectors = new ConcurrentHashMap<>();
  private final FileChannel out;
  private final int recordBytes;
  private volatile boolean closed;

  private CachingEmbedder(Embedder delegate, Path file) throws IOException {
    this.delegate = delegate;
    this.file = file;
    this.recordBytes = KEY_BYTES + 4 * delegate.dimension() + CHECKSUM_BYTES;
    if (Files.exists(file)) {
      // Before opening: a FIFO would block the open, a huge file would fill the heap with vectors.
      BoundedFiles.check(file, Long.MAX_VALUE, "embedding cache");
    }
    this.out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
    // The lock keeps a second process from truncating or interleaving records; closing the channel releases it.
    java.nio.channels.FileLock lock;
    try {
      lock = out.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      out.close();
      throw new IllegalStateException("embedding cache " + file + " is in use by another CachingEmbedder");
    }
    try {
      long valid;
      if (out.size() > 0 && olderFormat()) {
        // Derived data: an old cache is rebuilt, not a reason to fail.
        LOG.log(System.Logger.Level.WARNING, "embedding cache " + file + " is of an older format (without checksums);"
            + " starting it afresh");
        out.truncate(0);
        out.position(0);
        valid = writeHeader();
      } else {
        valid = out.size() > 0 ? load() : writeHeader();
      }
      out.truncate(valid);
      out.position(valid);
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * A caching embedder over {@code delegate}, keeping its vectors in {@code directory} (created if needed).
   *
   * @throws InvalidFileException when the cache file exists but is not a regular file or is larger than half the
   *     JVM's maximum heap, belongs to another embedder, is of a newer format
   *     version, or a complete record fails its checksum or holds a non-finite value (the message names the file and
   *     the record)
   * @throws UncheckedIOException when the directory or file cannot be created
   */
  public static CachingEmbedder open(Embedder delegate, Path directory) {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(directory, "directory");
    try {
      Files.createDirectories(directory);
      return new CachingEmbedder(delegate, directory.resolve(fileName(delegate.id())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the embedding cache in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** A readable, unique file name for an embedder id. */
  static String fileName(String id) {
    String readable = id.replaceAll("[^A-Za-z0-9._-]", "_");
    if (readable.length() > 60) {
      readable = readable.substring(0, 60);
    }
    return readable + "-" + HexFormat.of().formatHex(sha256(id)).substring(0, 12) + ".vectors";
  }

  private long writeHeader() throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (DataOutputStream d = new DataOutputStream(bytes)) {
      d.writeInt(MAGIC);
      d.writeInt(VERSION);
      byte[] id = delegate.id().getBytes(StandardCharsets.UTF_8);
      d.writeInt(id.length);
      d.write(id);
      d.writeInt(delegate.dimension());
    }
    ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
    while (b.hasRemaining()) {
      out.write(b);
    }
    return bytes.size();
  }

  /** Whether the file has this cache's magic number and an earlier format version. */
  private boolean olderFormat() throws IOException {
    try (DataInputStream d = new DataInputStream(Files.newInputStream(file))) {
      return d.readInt() == MAGIC && d.readInt() < VERSION;
    } catch (EOFException e) {
      return false; // load() reports the short header
    }
  }

  private long load() throws IOException {
    try (InputStream is = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
        DataInputStream d = new DataInputStream(is)) {
      long position;
      try {
        if (d.readInt() != MAGIC) {
          throw InvalidFileException.of(file, "not an embedding cache (wrong magic number); delete it to rebuild");
        }
        int version = d.readInt();
        if (version != VERSION) {
          throw InvalidFileException.of(file, "embedding cache of format version " + version + " but this library"
              + " reads version " + VERSION + (version < VERSION ? " (which adds a checksum per record)" : "")
              + "; delete the file to rebuild the cache");
        }
        int idLength = d.readInt();
        if (idLength < 0 || idLength > 1 << 16) {
          throw InvalidFileException.of(file, "corrupt embedding cache header; delete it to rebuild");
        }
        byte[] idBytes = d.readNBytes(idLength);
        if (idBytes.length != idLength) {
          throw new EOFException();
        }
        String id = new String(idBytes, StandardCharsets.UTF_8);
        int dim = d.readInt();
        if (!id.equals(delegate.id()) || dim != delegate.dimension()) {
          throw InvalidFileException.of(file, "holds vectors of embedder '" + id + "' (" + dim + " dimensions), not of '"
              + delegate.id() + "' (" + delegate.dimension() + ")");
        }
        position = 4 + 4 + 4 + idLength + 4;
      } catch (EOFException e) {
        throw InvalidFileException.of(file, "embedding cache header is cut short; delete the file to rebuild", e);
      }
      byte[] record = new byte[recordBytes];
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      for (long index = 0; d.readNBytes(record, 0, recordBytes) == recordBytes; index++) {
        ByteBuffer b = ByteBuffer.wrap(record);
        crc.reset();
        crc.update(record, 0, recordBytes - CHECKSUM_BYTES);
        if ((int) crc.getValue() != b.getInt(recordBytes - CHECKSUM_BYTES)) {
          throw InvalidFileException.of(file, "record " + index + " (at byte " + position + ") fails its checksum:"
              + " the cache is damaged; delete the file to rebuild it");
        }
        byte[] key = new byte[KEY_BYTES];
        b.get(key);
        float[] v = new float[delegate.dimension()];
        b.asFloatBuffer().get(v);
        int bad = firstNonFinite(v);
        if (bad >= 0) {
          throw InvalidFileException.of(file, "record " + index + " (at byte " + position + ") holds a non-finite"
              + " value " + v[bad] + " at component " + bad + "; delete the file to rebuild it");
        }
        vectors.put(new Key(key), v);
        position += recordBytes;
      }
      return position;
    }
  }

  private static int firstNonFinite(float[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        return i;
      }
    }
    return -1;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("embedding cache " + file + " is closed");
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** A text's key: its SHA-256. */
  private record Key(byte[] hash) {
    static Key of(String text) {
      return new Key(sha256(text));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && java.util.Arrays.equals(hash, k.hash);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(hash);
    }
  }

  @Override
  public String id() {
    return delegate.id();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  /** The embedder whose vectors are cached (not owned: close it yourself). */
  public Embedder delegate() {
    return delegate;
  }

  /** Number of vectors in the cache. */
  public int size() {
    return vectors.size();
  }

  /** The cache file. */
  public Path file() {
    return file;
  }

  /**
   * The cached vector of {@code text}, computed and stored first when absent.
   *
   * @throws IllegalStateException after {@link #close()}, or when the delegate returns a vector of the wrong length
   *     or with a non-finite value (which is not cached)
   */
  @Override
  public float[] embed(String text) {
    Objects.requireNonNull(text, "text");
    ensureOpen();
    Key key = Key.of(text);
    float[] v = vectors.get(key);
    if (v == null) {
      v = delegate.embed(text);
      store(List.of(key), List.of(v));
    }
    return v.clone();
  }

  /**
   * The vectors of {@code texts}, in order; those not cached are computed in one call to the delegate and stored.
   *
   * @throws IllegalStateException as {@link #embed}
   */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    ensureOpen();
    List<Key> keys = new ArrayList<>(texts.size());
    List<Key> missingKeys = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    java.util.Set<Key> pending = new java.util.HashSet<>();
    for (int i = 0; i < texts.size(); i++) {
      String t = Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
      Key k = Key.of(t);
      keys.add(k);
      if (!vectors.containsKey(k) && pending.add(k)) {
        missingKeys.add(k);
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      store(missingKeys, delegate.embedAll(missing));
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (Key k : keys) {
      out.add(vectors.get(k).clone());
    }
    return out;
  }

  private synchronized void store(List<Key> keys, List<float[]> values) {
    ensureOpen();
    if (values.size() != keys.size()) {
      throw new IllegalStateException("embedder '" + delegate.id() + "' returned " + values.size() + " vectors for "
          + keys.size() + " texts");
    }
    for (int i = 0; i < keys.size(); i++) {
      float[] v = values.get(i);
      if (v.length != delegate.dimension()) {
        throw new IllegalStateException("embedder '" + delegate.id() + "' returned " + v.length
            + " values but declares dimension " + delegate.dimension());
      }
      int bad = firstNonFinite(v);
      if (bad >= 0) {
        throw new IllegalStateException("embedder '" + delegate.id() + "' returned a non-finite value " + v[bad]
            + " at component " + bad + "; not cached");
      }
    }
    ByteBuffer b = ByteBuffer.allocate(recordBytes * keys.size());
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    for (int i = 0; i < keys.size(); i++) {
      float[] v = values.get(i);
      if (vectors.putIfAbsent(keys.get(i), v.clone()) == null) {
        int start = b.position();
        b.put(keys.get(i).hash);
        b.asFloatBuffer().put(v);
        b.position(b.position() + 4 * v.length);
        crc.reset();
        crc.update(b.array(), start, b.position() - start);
        b.putInt((int) crc.getValue());
      }
    }
    b.flip();
    try {
      while (b.hasRemaining()) {
        out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the embedding cache " + file + ": " + e.getMessage(), e);
    }
  }

  /** Closes the cache file (idempotent); the delegate stays open. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the embedding cache " + file, e);
      }
    }
  }
}
