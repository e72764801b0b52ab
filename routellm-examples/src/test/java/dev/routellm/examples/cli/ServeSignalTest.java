package dev.routellm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.examples.MockModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code routellm serve} as a real process: SIGTERM drains it and ends an open stream with an error event. */
class ServeSignalTest {
  @Test
  void sigterm_endsAnOpenStreamWithAnErrorEventThenDone_andExits() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (MockModel weak = new MockModel("weak-model"); MockModel strong = new MockModel("strong-model")) {
      weak.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
          .body(new MockResponseBody() {
            @Override
            public long getContentLength() {
              return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
              sink.writeUtf8("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"weak-model\","
                  + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick\"},\"finish_reason\":null}]}\n\n")
                  .flush();
              try {
                release.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }).build());
      Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), RouteLlmCommand.class.getName(), "serve", "--router",
          "random", "--threshold", "1", "--port", "0", "--json", "--drain-timeout", "0.3",
          "--weak-url", weak.baseUrl(), "--weak-model", "weak-model", "--weak-key-env", "none", "--weak-price", "0",
          "--strong-url", strong.baseUrl(), "--strong-model", "strong-model", "--strong-key-env", "none",
          "--strong-price", "0")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(),
            StandardCharsets.UTF_8));
        JsonNode started = JsonMapper.builder().build().readTree(out.readLine());
        int port = started.get("port").asInt();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
          String body = "{\"model\":\"router-random\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
              + "\"hi\"}]}";
          socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type:"
              + " application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
              .getBytes(StandardCharsets.UTF_8));
          BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
              StandardCharsets.UTF_8));
          String line;
          do {
            line = in.readLine();
          } while (line != null && !line.contains("\"content\":\"tick\""));
          assertThat(line).as("the stream started").isNotNull();

          serve.destroy(); // SIGTERM

          List<String> rest = new ArrayList<>();
          while ((line = in.readLine()) != null) {
            if (line.startsWith("data: ")) {
              rest.add(line.substring(6));
            }
            if (line.equals("data: [DONE]")) {
              break;
            }
          }
          assertThat(rest).hasSize(2).endsWith("[DONE]");
          assertThat(rest.get(0)).contains("\"code\":\"server_shutting_down\"");
        }
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("the process ended").isTrue();
      } finally {
        release.countDown();
        serve.destroyForcibly();
      }
    }
  }
}
