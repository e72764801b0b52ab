package dev.routellm.onnx;

import dev.routellm.InvalidFileException;
import dev.routellm.checkpoint.Safetensors;
import dev.routellm.checkpoint.Tensor;
import dev.routellm.embedding.Embedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Static token embeddings distilled from a built-in transformer embedder: every vocabulary token gets, once, the
 * vector the transformer gives it alone; a text's vector is then the unit-length mean of its tokens' vectors. No
 * model runs at embedding time, only the tokenizer and a sum: tens of microseconds instead of milliseconds, at some
 * cost in quality (the tokens do not see each other). Measure that cost on your data before serving with it.
 *
 * <p>The table (vocabulary size x dimension, float32: 47 MB for MiniLM) is distilled on first use, which embeds each
 * of the 30,522 vocabulary tokens with the transformer (about a minute on two cores), and kept in a safetensors file
 * so later loads are instant. Its {@link #id()} is the teacher's id plus {@code /static}: a router trained on these
 * vectors refuses the transformer's and vice versa.
 *
 * <p>Thread-safe. {@link #close()} frees the native tokenizer; idempotent. After it, {@link #embed} and
 * {@link #embedAll} throw {@link IllegalStateException}.
 */
public final class StaticTokenEmbedder implements Embedder {
  /** Tensor holding the table in the distilled file. */
  static final String TABLE = "token_embeddings";
  /** Metadata key holding the teacher's id. */
  static final String TEACHER = "teacher";
  /** Characters of a text quoted in an error message; the rest is elided. */
  private static final int QUOTED_TEXT_CHARS = 80;

  private final TextTokenizer tokenizer;
  private final float[] table;
  private final boolean[] skip;
  private final int dimension;
  private final String id;
  // Embeddings hold the read lock while they use the native tokenizer, close() the write lock: no call ever reaches a
  // freed tokenizer, and a call after close() gets this class's message rather than the native library's.
  private final java.util.concurrent.locks.ReentrantReadWriteLock lock =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  private boolean closed; // guarded by lock

  private StaticTokenEmbedder(TextTokenizer tokenizer, float[] table, boolean[] skip, int dimension, String id) {
    this.tokenizer = tokenizer;
    this.table = table;
    this.skip = skip;
    this.dimension = dimension;
    this.id = id;
  }

  /**
   * The static embedder of a built-in model, distilling its table into {@code tableFile} first when that file does
   * not exist yet.
   *
   * @throws InvalidFileException when {@code tableFile} exists but holds another model's table, is malformed or
   *     holds a non-finite value (the message names the file, the tensor and the token)
   */
  public static StaticTokenEmbedder of(BuiltInEmbeddingModel model, Path tableFile) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tableFile, "tableFile");
    byte[] json = model.source().tokenizerBytes();
    List<String> vocabulary = vocabulary(json, model.tokenizerResource());
    String teacherId;
    float[] table;
    try (OnnxEmbedder teacher = Files.exists(tableFile) ? null : OnnxEmbedder.builder().builtIn(model).build()) {
      if (teacher != null) {
        table = distill(teacher, vocabulary);
        teacherId = teacher.id();
        Safetensors.write(tableFile, Map.of(TABLE, Tensor.of(table, vocabulary.size(), model.dimension())),
            Map.of(TEACHER, teacherId));
      } else {
        Safetensors st = Safetensors.read(tableFile);
        table = st.tensor(TABLE, vocabulary.size(), model.dimension()).values();
        for (int i = 0; i < table.length; i++) {
          if (!Float.isFinite(table[i])) {
            throw InvalidFileException.of(tableFile, "tensor '" + TABLE + "' holds a non-finite value " + table[i]
                + " at index " + i + " (token " + i / model.dimension() + " '" + vocabulary.get(i / model.dimension())
                + "', component " + i % model.dimension() + "); delete the file to distill the table again");
          }
        }
        teacherId = st.metadata().get(TEACHER);
        if (teacherId == null || !teacherId.startsWith(model.modelName() + "/")) {
          throw InvalidFileException.of(tableFile, "holds the table of '" + teacherId + "', not of "
              + model.modelName());
        }
      }
    }
    boolean[] skip = new boolean[vocabulary.size()];
    for (int i = 0; i < skip.length; i++) {
      skip[i] = tokenText(vocabulary.get(i)) == null;
    }
    TextTokenizer tokenizer = TextTokenizer.load(json, model.tokenizerResource(), model.maxLength());
    return new StaticTokenEmbedder(tokenizer, table, skip, model.dimension(), teacherId + "/static");
  }

  /** The vocabulary by id, from the tokenizer's JSON ({@code model.vocab}). */
  static List<String> vocabulary(byte[] json, String location) {
    JsonNode vocab = JsonMapper.builder().build().readTree(json).path("model").path("vocab");
    if (!vocab.isObject()) {
      throw InvalidFileException.ofResource(location, "has no model.vocab map (not a WordPiece tokenizer)", null);
    }
    String[] byId = new String[vocab.size()];
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int tokenId = e.getValue().asInt(-1);
      if (tokenId < 0 || tokenId >= byId.length || byId[tokenId] != null) {
        throw InvalidFileException.ofResource(location, "model.vocab ids are not 0.." + (byId.length - 1), null);
      }
      byId[tokenId] = e.getKey();
    }
    return List.of(byId);
  }

  /** The text a token stands for ({@code ##ing} is {@code ing}), or null for special and unused tokens. */
  static String tokenText(String token) {
    if (token.startsWith("[") && token.endsWith("]")) {
      return null;
    }
    String text = token.startsWith("##") ? token.substring(2) : token;
    return text.isBlank() ? null : text;
  }

  private static float[] distill(OnnxEmbedder teacher, List<String> vocabulary) {
    int dim = teacher.dimension();
    float[] table = new float[vocabulary.size() * dim];
    List<String> texts = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < vocabulary.size(); i++) {
      String text = tokenText(vocabulary.get(i));
      if (text != null) {
        texts.add(text);
        ids.add(i);
      }
    }
    List<float[]> vectors = teacher.embedAll(texts);
    for (int j = 0; j < ids.size(); j++) {
      System.arraycopy(vectors.get(j), 0, table, ids.get(j) * dim, dim);
    }
    return table;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /**
   * The unit-length mean of the text's token vectors.
   *
   * @throws IllegalArgumentException when the text has no token with a vector (empty, or only special tokens)
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public float[] embed(String text) {
    Objects.requireNonNull(text, "text");
    long[] ids;
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("static embedder " + id + " is closed");
      }
      ids = tokenizer.encode(text).ids();
    } finally {
      lock.readLock().unlock();
    }
    float[] v = new float[dimension];
    int used = 0;
    for (long tokenId : ids) {
      int t = (int) tokenId;
      if (t >= 0 && t < skip.length && !skip[t]) {
        int base = t * dimension;
        for (int d = 0; d < dimension; d++) {
          v[d] += table[base + d];
        }
        used++;
      }
    }
    if (used == 0) {
      throw new IllegalArgumentException("text has no token to embed (empty, blank or only special tokens): "
          + quoted(text));
    }
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    float scale = sum > 0 ? (float) (1 / Math.sqrt(sum)) : 0;
    for (int d = 0; d < dimension; d++) {
      v[d] *= scale;
    }
    return v;
  }

  /**
   * The embeddings of {@code texts}, in order.
   *
   * @throws NullPointerException when the list or an element is null (the message gives the index)
   * @throws IllegalArgumentException when a text has no token to embed (the message gives its index)
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    List<float[]> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
      try {
        out.add(embed(text));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("texts[" + i + "]: " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static String quoted(String text) {
    if (text.length() <= QUOTED_TEXT_CHARS) {
      return "'" + text + "'";
    }
    int end = Character.isHighSurrogate(text.charAt(QUOTED_TEXT_CHARS - 1)) ? QUOTED_TEXT_CHARS - 1 : QUOTED_TEXT_CHARS;
    return "'" + text.substring(0, end) + "...' (" + text.length() + " characters)";
  }

  /** Frees the native tokenizer. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        tokenizer.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "StaticTokenEmbedder{id=" + id + "}";
  }
}
