package dev.routellm.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiHttpTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"error\":{\"message\":\"Invalid value for 'temperature'\",\"type\":\"invalid_request_error\"}}"
            + "|Invalid value for 'temperature' (invalid_request_error)",
        "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size\","
            + "\"type\":\"exceed_context_size_error\"}}|the request exceeds the available context size"
            + " (exceed_context_size_error)",
        "{\"error\":{\"message\":\"bad\",\"code\":\"model_not_found\"}}|bad (model_not_found)",
        "{\"object\":\"error\",\"message\":\"model not loaded\",\"type\":\"NotFoundError\",\"code\":404}"
            + "|model not loaded (NotFoundError)",
        "{\"error\":\"invalid model name\"}|invalid model name",
        "{\"detail\":\"Not Found\"}|Not Found",
        "{\"message\":\"Internal Server Error\"}|Internal Server Error",
        "  upstream connect error or disconnect/reset before headers  |upstream connect error or disconnect/reset"
            + " before headers",
        "<html><body><h1>502 Bad Gateway</h1></body></html>|502 Bad Gateway",
        "{\"unexpected\":true}|{\"unexpected\":true}",
      })
  void serverMessage_readsEveryKnownErrorShape(String body, String expected) {
    assertThat(OpenAiHttp.serverMessage(body)).isEqualTo(expected);
  }

  @Test
  void serverMessage_emptyBody_isEmpty() {
    assertThat(OpenAiHttp.serverMessage("  \n")).isEmpty();
  }

  @Test
  void serverMessage_longMessage_isTruncatedWithItsLength() {
    String message = "y".repeat(1000);

    assertThat(OpenAiHttp.serverMessage("{\"error\":{\"message\":\"" + message + "\"}}"))
        .isEqualTo("y".repeat(OpenAiHttp.MAX_QUOTED_CHARS) + "... (1000 chars)");
  }

  @Test
  void retryAfter_readsSecondsMillisAndDates() {
    assertThat(OpenAiHttp.retryAfter(Headers.of("Retry-After", "20"))).isEqualTo(Duration.ofSeconds(20));
    assertThat(OpenAiHttp.retryAfter(Headers.of("Retry-After", "0.5"))).isEqualTo(Duration.ofMillis(500));
    assertThat(OpenAiHttp.retryAfter(Headers.of("retry-after-ms", "250", "Retry-After", "1")))
        .isEqualTo(Duration.ofMillis(250));
    assertThat(
            OpenAiHttp.retryAfter(
                Headers.of("Date", "Fri, 17 Jan 2025 12:00:00 GMT", "Retry-After", "Fri, 17 Jan 2025 12:01:30 GMT")))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(
            OpenAiHttp.retryAfter(
                Headers.of("Date", "Fri, 17 Jan 2025 12:00:00 GMT", "Retry-After", "Fri, 17 Jan 2025 11:00:00 GMT")))
        .isEqualTo(Duration.ZERO);
    assertThat(OpenAiHttp.retryAfter(Headers.of("Retry-After", "-5"))).isEqualTo(Duration.ZERO);
    assertThat(OpenAiHttp.retryAfter(Headers.of("Retry-After", "soon"))).isNull();
    assertThat(OpenAiHttp.retryAfter(Headers.of())).isNull();
  }

  @ParameterizedTest
  @CsvSource({
    "http://localhost:8000/v1, http://localhost:8000/v1/chat/completions",
    "http://localhost:8000/v1/, http://localhost:8000/v1/chat/completions",
    "http://localhost:11434/v1, http://localhost:11434/v1/chat/completions",
    "https://res.openai.azure.com/openai/deployments/gpt4?api-version=2024-06-01,"
        + " https://res.openai.azure.com/openai/deployments/gpt4/chat/completions?api-version=2024-06-01",
  })
  void url_appendsThePathToTheBaseUrlKeepingItsQuery(String baseUrl, String expected) {
    try (OpenAiHttp http = new OpenAiHttp("test", "m", settingsOf(baseUrl))) {
      assertThat(http.url(OpenAiBackend.CHAT_PATH).toString()).isEqualTo(expected);
      assertThat(http.endpoint(OpenAiBackend.CHAT_PATH)).isEqualTo(expected.replaceAll("\\?.*", ""));
    }
  }

  @Test
  void redact_removesKeyCredentialHeadersAndUrlSecrets() {
    HttpSettings settings =
        OpenAiBackend.builder()
            .baseUrl("https://user:pa55word@example.com/v1?key=abcdef123")
            .apiKey("sk-abcdefgh")
            .header("X-Custom-Token", "Bearer tok-999999")
            .header("X-Trace", "trace-12345")
            .settings();
    try (OpenAiHttp http = new OpenAiHttp("test", "m", settings)) {
      assertThat(http.redact("sk-abcdefgh tok-999999 pa55word abcdef123 trace-12345"))
          .isEqualTo("[redacted] [redacted] [redacted] [redacted] trace-12345");
      assertThat(settings.safeBaseUrl()).isEqualTo("https://example.com/v1");
    }
  }

  @Test
  void format_printsDurationsForPeople() {
    assertThat(OpenAiHttp.format(Duration.ZERO)).isEqualTo("no limit");
    assertThat(OpenAiHttp.format(Duration.ofMillis(250))).isEqualTo("250 ms");
    assertThat(OpenAiHttp.format(Duration.ofSeconds(10))).isEqualTo("10 s");
    assertThat(OpenAiHttp.format(Duration.ofMillis(1500))).isEqualTo("1.5 s");
  }

  private static HttpSettings settingsOf(String baseUrl) {
    return OpenAiBackend.builder().baseUrl(baseUrl).noApiKey().settings();
  }
}
