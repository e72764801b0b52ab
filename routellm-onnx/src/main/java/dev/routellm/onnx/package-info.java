/**
 * Local inference with ONNX Runtime: sentence embeddings and exported router classifiers, in-process, with no network
 * call per routing decision.
 *
 * <h2>Embeddings</h2>
 *
 * <pre>{@code
 * try (OnnxEmbedder embedder = OnnxEmbedder.allMiniLmL6V2()) {       // built in: no download
 *   float[] v = embedder.embed("What is the capital of France?");     // 384 floats, unit length
 *   List<float[]> all = embedder.embedAll(prompts);                   // same vectors, spread over the cores
 * }
 * }</pre>
 *
 * <p>{@link dev.routellm.onnx.OnnxEmbedder} implements core's {@link dev.routellm.embedding.Embedder}. Built-in models
 * ({@link dev.routellm.onnx.BuiltInEmbeddingModel}): quantized all-MiniLM-L6-v2 (mean pooling, 256 tokens) and
 * bge-small-en-v1.5 (CLS pooling, 512 tokens), read from LangChain4j's Maven artifacts on the class path. Any other
 * sentence-transformers model exported to ONNX loads from a directory ({@code model.onnx} or {@code onnx/model.onnx},
 * plus {@code tokenizer.json}); pooling and maximum length come from the builder or from the directory's
 * sentence-transformers files, never from the limit inside {@code tokenizer.json}. Each text runs alone unless a batch
 * size is set, so the same text always gets the same vector (see the class comment for why this matters with
 * quantized models).
 *
 * <h2>Classifier router</h2>
 *
 * <pre>{@code
 * OnnxClassifierPredictor bert = OnnxClassifierPredictor.builder()
 *     .modelDirectory(Path.of("bert_gpt4_augmented-onnx"))   // model.onnx + tokenizer.json
 *     .build();                                              // RouteLLM's labels: softmax, label 0 = strong wins
 * Router router = Router.builder().strong(gpt4).weak(mixtral).predictor(bert).threshold(0.3)
 *     .costModel(CostModel.paperDefaults()).build();
 * }</pre>
 *
 * <p>{@link dev.routellm.onnx.OnnxClassifierPredictor} is a {@link dev.routellm.prediction.WinRatePredictor}. It
 * feeds {@code input_ids}, {@code attention_mask} and, when the model has it, {@code token_type_ids}, so BERT
 * (WordPiece) and XLM-R (SentencePiece/Unigram) exports both work; {@link dev.routellm.onnx.LabelMapping} covers other
 * label layouts. Export RouteLLM's checkpoint with, for example, Hugging Face optimum: {@code optimum-cli export onnx
 * --model routellm/bert_gpt4_augmented --task text-classification out/}.
 *
 * <h2>CPU or CUDA</h2>
 *
 * <p>The CPU is the default. {@link dev.routellm.onnx.ExecutionOptions} selects CUDA (device, memory limit), threads
 * and the optimisation level, and what happens when CUDA cannot load ({@link dev.routellm.onnx.ProviderFallback}:
 * fail with a {@link dev.routellm.ConfigurationException}, or run on the CPU after one warning). CUDA needs ONNX
 * Runtime's GPU build in place of the CPU one, never both on one class path:
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.routellm</groupId>
 *   <artifactId>routellm-onnx</artifactId>
 *   <exclusions>
 *     <exclusion><groupId>com.microsoft.onnxruntime</groupId><artifactId>onnxruntime</artifactId></exclusion>
 *   </exclusions>
 * </dependency>
 * <dependency>
 *   <groupId>com.microsoft.onnxruntime</groupId>
 *   <artifactId>onnxruntime_gpu</artifactId>
 *   <version>1.29.0</version>      <!-- Linux x64 and Windows x64; needs CUDA 12.x and cuDNN 9 -->
 * </dependency>
 * }</pre>
 *
 * <p>The code is the same with either artifact; {@code provider()} on a model tells where it actually runs.
 *
 * <h2>Errors, threads, resources</h2>
 *
 * <p>Every model is checked when it loads: a missing file, a model without {@code input_ids} or the expected output, a
 * maximum length beyond the model's positions, or a tokenizer from another model (token ids outside the embedding
 * table, or a table far larger than the vocabulary; checked on the CPU) fail at once with an {@link
 * dev.routellm.InvalidFileException} or {@link dev.routellm.ConfigurationException} naming the file. Empty texts are
 * rejected; texts over the maximum length are cut or rejected as {@link dev.routellm.onnx.LongInputPolicy} says. Models
 * are thread-safe, hold native memory until {@code close()}, which is idempotent and waits for calls in flight. On the
 * CPU a call that finds its model idle runs on all cores and calls that overlap run on one core each ({@link
 * dev.routellm.onnx.ExecutionOptions} says how, and what that costs); the result never depends on which. The
 * tokenizer library (DJL) is kept offline: the library sets {@code ai.djl.offline=true} and {@code
 * OPT_OUT_TRACKING=true} unless they are set already.
 */
package dev.routellm.onnx;
