package dev.routellm.backend;

import dev.routellm.chat.TokenLogprob;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Reads token log-probabilities in every wire shape that OpenAI-compatible servers use, into {@link TokenLogprob}s:
 *
 * <ul>
 *   <li>chat completions: {@code logprobs.content[] = {token, logprob, bytes, top_logprobs: [{token, logprob,
 *       bytes}]}} (OpenAI, vLLM, llama.cpp's server, Ollama's {@code /v1}); {@code bytes} is kept;
 *   <li>the legacy completions shape: {@code logprobs = {tokens[], token_logprobs[], top_logprobs[] (maps token ->
 *       logprob), text_offset[]}} (some vLLM and Together versions on the chat endpoint);
 *   <li>a bare array of chat-shape entries, as Ollama's native API puts at the top level of a response.
 * </ul>
 *
 * <p>Null entries: a position whose token or log-probability is {@code null} (or {@code NaN}) carries no number to
 * keep and is skipped, so the list can be shorter than the answer's tokens; the answer's text is unaffected. A
 * {@code null} alternatives map or entry only removes alternatives. {@code -Infinity} and vLLM's {@code -9999.0} are
 * clamped by {@link TokenLogprob}. Alternatives are sorted most likely first. Stateless.
 */
final class Logprobs {
  private static final System.Logger LOG = System.getLogger(Logprobs.class.getName());
  private static final Comparator<TokenLogprob.Alternative> MOST_LIKELY_FIRST =
      Comparator.comparingDouble(TokenLogprob.Alternative::logprob).reversed();

  private Logprobs() {}

  /**
   * The log-probabilities in {@code node}, or empty when it holds none in a known shape (absent, {@code null},
   * {@code content: null}).
   *
   * @param keepAlternatives whether to keep the alternatives (false when the caller asked for none and the backend
   *     requested one only because some servers need it)
   */
  static Optional<List<TokenLogprob>> parse(JsonNode node, boolean keepAlternatives) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    if (node.isArray()) {
      return Optional.of(chatShape(node, keepAlternatives));
    }
    if (!node.isObject()) {
      return Optional.empty();
    }
    JsonNode content = node.path("content");
    if (content.isArray()) {
      return Optional.of(chatShape(content, keepAlternatives));
    }
    JsonNode tokens = node.path("tokens");
    if (tokens.isArray()) {
      return Optional.of(legacyShape(tokens, node.path("token_logprobs"), node.path("top_logprobs"), keepAlternatives));
    }
    return Optional.empty();
  }

  private static List<TokenLogprob> chatShape(JsonNode entries, boolean keepAlternatives) {
    List<TokenLogprob> out = new ArrayList<>(entries.size());
    int skipped = 0;
    for (JsonNode entry : entries) {
      JsonNode token = entry.path("token");
      Double logprob = number(entry.path("logprob"));
      if (!token.isString() || logprob == null) {
        skipped++;
        continue;
      }
      List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
      if (keepAlternatives) {
        for (JsonNode alt : entry.path("top_logprobs")) {
          Double altLogprob = number(alt.path("logprob"));
          if (alt.path("token").isString() && altLogprob != null) {
            alternatives.add(
                new TokenLogprob.Alternative(alt.path("token").stringValue(), altLogprob, bytes(alt.path("bytes"))));
          }
        }
      }
      alternatives.sort(MOST_LIKELY_FIRST);
      out.add(new TokenLogprob(token.stringValue(), logprob, alternatives, bytes(entry.path("bytes"))));
    }
    logSkipped(skipped, entries.size());
    return out;
  }

  private static List<TokenLogprob> legacyShape(
      JsonNode tokens, JsonNode tokenLogprobs, JsonNode topLogprobs, boolean keepAlternatives) {
    List<TokenLogprob> out = new ArrayList<>(tokens.size());
    int skipped = 0;
    for (int i = 0; i < tokens.size(); i++) {
      JsonNode token = tokens.path(i);
      Double logprob = number(tokenLogprobs.path(i));
      if (!token.isString() || logprob == null) {
        skipped++;
        continue;
      }
      List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
      JsonNode top = topLogprobs.path(i);
      if (keepAlternatives && top.isObject()) {
        top.forEachEntry(
            (altToken, altValue) -> {
              Double altLogprob = number(altValue);
              if (altLogprob != null) {
                alternatives.add(new TokenLogprob.Alternative(altToken, altLogprob));
              }
            });
      }
      out.add(token(token.stringValue(), logprob, alternatives));
    }
    logSkipped(skipped, tokens.size());
    return out;
  }

  private static TokenLogprob token(String token, double logprob, List<TokenLogprob.Alternative> alternatives) {
    alternatives.sort(MOST_LIKELY_FIRST);
    return new TokenLogprob(token, logprob, alternatives);
  }

  /** OpenAI's {@code bytes}: a list of integers in [0, 255]; anything else (absent, null, malformed) is none. */
  private static List<Integer> bytes(JsonNode n) {
    if (!n.isArray() || n.isEmpty()) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>(n.size());
    for (JsonNode b : n) {
      if (!b.canConvertToInt() || !b.isIntegralNumber() || b.intValue() < 0 || b.intValue() > 255) {
        return List.of();
      }
      out.add(b.intValue());
    }
    return out;
  }

  /** The value as a double, or null when it is not a number or is NaN. */
  private static Double number(JsonNode n) {
    if (!n.isNumber()) {
      return null;
    }
    double d = n.doubleValue();
    return Double.isNaN(d) ? null : d;
  }

  private static void logSkipped(int skipped, int total) {
    if (skipped > 0) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "skipped {0} of {1} log-probability entries that had no token or no value",
          skipped,
          total);
    }
  }
}
