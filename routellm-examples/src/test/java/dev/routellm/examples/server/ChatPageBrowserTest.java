package dev.routellm.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.CostTracker;
import dev.routellm.examples.MockModel;
import dev.routellm.prediction.RandomPredictor;
import dev.routellm.routing.Router;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in a real browser: Debian's headless Chromium driven by its own chromedriver (both installed by
 * {@code .ci/run} with apt-get; Selenium is told where they are, so Selenium Manager never downloads anything),
 * against the routing server and loopback fake models.
 */
class ChatPageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final CostModel PRICES =
      CostModel.builder().price("strong-model", 10, 30).price("weak-model", 0.5, 1).build();

  private static ChromeDriver browser;
  private static Path profile;

  private MockModel strongEndpoint;
  private MockModel weakEndpoint;
  private OpenAiBackend strong;
  private OpenAiBackend weak;
  private RoutingServer server;

  @BeforeAll
  static void startBrowser() throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("the chat page tests need Debian's Chromium and its driver at " + CHROMIUM
          + " and " + CHROMEDRIVER + ": apt-get install -y chromium chromium-driver (.ci/run does)");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString()); // no Selenium Manager lookup
    profile = Files.createTempDirectory("routellm-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--window-size=1200,900");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @BeforeEach
  void start() throws IOException {
    strongEndpoint = new MockModel("strong-model");
    weakEndpoint = new MockModel("weak-model");
    strong = strongEndpoint.backend();
    weak = weakEndpoint.backend();
    server = serverWith(b -> b);
    browser.manage().window().setSize(new Dimension(1200, 900));
  }

  @AfterEach
  void stop() {
    server.close();
    strong.close();
    weak.close();
    strongEndpoint.close();
    weakEndpoint.close();
  }

  private RoutingServer serverWith(UnaryOperator<RoutingServer.Builder> options) {
    if (server != null) {
      server.close();
    }
    CostTracker totals = new CostTracker();
    RandomPredictor predictor = RandomPredictor.withSeed(1);
    server = options.apply(RoutingServer.builder()
        .routers("random", (t, listener) -> Router.builder().strong(strong).weak(weak).predictor(predictor)
            .threshold(t).costModel(PRICES).costTracker(totals).listener(listener).build(), totals)
        .defaultThreshold(1.0).log(line -> {}).port(0)).start();
    return server;
  }

  private void open() {
    browser.get("http://127.0.0.1:" + server.port() + "/");
    await().until(d -> !d.findElements(By.cssSelector("#model option")).isEmpty());
  }

  private static WebDriverWait await() {
    return new WebDriverWait(browser, Duration.ofSeconds(20));
  }

  private static void type(String text) {
    WebElement input = browser.findElement(By.id("input"));
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER);
  }

  private static WebElement lastAnswer() {
    List<WebElement> answers = browser.findElements(By.cssSelector(".msg.assistant"));
    return answers.get(answers.size() - 1);
  }

  /** Waits until the page is ready for the next message (the answer is complete or failed). */
  private static void awaitIdle() {
    await().until(d -> d.findElement(By.id("send")).isEnabled()
        && d.findElements(By.cssSelector(".answer.pending")).isEmpty());
  }

  @Test
  void send_streamsMarkdownWithCopyButtonsAndShowsTheRoutingDetails() {
    weakEndpoint.streams(12, 30, "# Plan\\n\\n", "- one\\n- **two**\\n\\n", "```\\nprint(42)\\n```\\n",
        "See [docs](https://example.com/docs).");
    open();
    type("Make a plan");
    awaitIdle();

    WebElement answer = lastAnswer();
    assertThat(answer.findElement(By.cssSelector(".answer h1")).getText()).isEqualTo("Plan");
    assertThat(answer.findElements(By.cssSelector(".answer li"))).extracting(WebElement::getText)
        .containsExactly("one", "two");
    assertThat(answer.findElement(By.cssSelector(".answer li strong")).getText()).isEqualTo("two");
    assertThat(answer.findElement(By.cssSelector(".answer pre code")).getText()).isEqualTo("print(42)");
    assertThat(answer.findElement(By.cssSelector(".answer pre button.copy")).getText()).isEqualTo("Copy");
    WebElement link = answer.findElement(By.cssSelector(".answer a"));
    assertThat(link.getAttribute("href")).isEqualTo("https://example.com/docs");
    assertThat(link.getAttribute("target")).isEqualTo("_blank");
    assertThat(link.getAttribute("rel")).contains("noopener", "noreferrer");
    assertThat(answer.getAttribute("class")).contains("weak");
    WebElement details = answer.findElement(By.cssSelector("details.details"));
    assertThat(details.findElement(By.tagName("summary")).getText()).startsWith("answered by weak-model · $0.0000");
    details.findElement(By.tagName("summary")).click();
    assertThat(details.getText()).contains("Chosen model", "weak-model", "vs threshold 1.0000", "Call weak-model",
        "12 in / 30 out tokens");
    assertThat(browser.findElement(By.cssSelector(".msg.user")).getText()).isEqualTo("Make a plan");
    await().until(d -> d.findElement(By.id("totals")).getText().startsWith("1 requests"));
  }

  /** Queues a streamed answer of the weak model, each piece JSON-escaped. */
  private void weakStreams(String... pieces) {
    String[] escaped = new String[pieces.length];
    for (int i = 0; i < pieces.length; i++) {
      String quoted = OpenAiWire.JSON.getNodeFactory().stringNode(pieces[i]).toString();
      escaped[i] = quoted.substring(1, quoted.length() - 1);
    }
    weakEndpoint.streams(3, pieces.length, escaped);
  }

  @Test
  void htmlInAnAnswer_staysInertText() {
    weakStreams("<img src=x onerror=\"document.title='pwned'\">", "<script>document.title='pwned'</script> ",
        "[click](javascript:document.title='pwned') <b>bold?</b>");
    open();
    type("Say something nasty");
    awaitIdle();

    WebElement answer = lastAnswer().findElement(By.className("answer"));
    assertThat(answer.findElements(By.cssSelector("img, script, b"))).isEmpty();
    assertThat(answer.findElements(By.cssSelector("a[href^='javascript']"))).isEmpty();
    assertThat(answer.getText()).contains("<img src=x onerror=", "<script>", "<b>bold?</b>");
    assertThat(browser.getTitle()).isEqualTo("RouteLLM chat");
  }

  @Test
  void enterSends_shiftEnterIsANewLine_sendIsDisabledWhileTheAnswerStreams() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    String chunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"weak-model\",\"choices\":"
        + "[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n";
    weakEndpoint.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
        .body(new MockResponseBody() {
          @Override
          public long getContentLength() {
            return -1;
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8(String.format(chunk, "first half, ")).flush();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            sink.writeUtf8(String.format(chunk, "second half")).writeUtf8("data: {\"id\":\"c\",\"object\":"
                + "\"chat.completion.chunk\",\"model\":\"weak-model\",\"choices\":[{\"index\":0,\"delta\":{},"
                + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n").flush();
          }
        }).build());
    open();
    WebElement input = browser.findElement(By.id("input"));
    input.sendKeys("line one");
    input.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
    input.sendKeys("line two");
    input.sendKeys(Keys.ENTER);
    try {
      await().until(d -> lastAnswer().getText().contains("first half"));
      assertThat(browser.findElement(By.id("send")).isEnabled()).as("Send while streaming").isFalse();
      assertThat(browser.findElement(By.id("stop")).isDisplayed()).isTrue();
      input.sendKeys("too early");
      input.sendKeys(Keys.ENTER);
      assertThat(browser.findElements(By.cssSelector(".msg.user"))).as("no second message mid-stream").hasSize(1);
    } finally {
      release.countDown();
    }
    awaitIdle();
    assertThat(lastAnswer().findElement(By.className("answer")).getText()).isEqualTo("first half, second half");
    assertThat(browser.findElement(By.cssSelector(".msg.user")).getText()).isEqualTo("line one\nline two");
    assertThat(weakEndpoint.server().takeRequest().getBody().utf8()).contains("line one\\nline two");
  }

  @Test
  void reload_keepsTheConversation_newChatStartsAnEmptyOne() {
    weakStreams("Remembered ", "answer.");
    open();
    type("Remember me");
    awaitIdle();

    browser.navigate().refresh();
    await().until(d -> d.findElements(By.cssSelector(".msg.assistant .answer")).size() == 1);
    assertThat(browser.findElement(By.cssSelector(".msg.user")).getText()).isEqualTo("Remember me");
    assertThat(lastAnswer().findElement(By.className("answer")).getText()).isEqualTo("Remembered answer.");
    assertThat(lastAnswer().findElement(By.cssSelector("details summary")).getText())
        .startsWith("answered by weak-model");

    browser.findElement(By.id("new-chat")).click();
    assertThat(browser.findElements(By.cssSelector("#log .msg"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("#conversations li"))).extracting(WebElement::getText)
        .containsExactly("New chat\n×", "Remember me\n×");
    browser.findElements(By.cssSelector("#conversations li button.open")).get(1).click();
    assertThat(browser.findElement(By.cssSelector(".msg.user")).getText()).isEqualTo("Remember me");
  }

  @Test
  void bothModelsDown_showAClearErrorLineWithoutInternals() {
    weakEndpoint.fails(503, "weak overloaded");
    strongEndpoint.fails(503, "strong overloaded");
    open();
    type("Hello?");
    awaitIdle();

    String error = lastAnswer().findElement(By.className("error-line")).getText();
    assertThat(error).isEqualTo("Error: no model could answer: model 'weak-model' answered HTTP 503: weak"
        + " overloaded; model 'strong-model' answered HTTP 503: strong overloaded");
    assertThat(browser.findElement(By.id("log")).getText()).doesNotContain("http://", "Exception");
  }

  @Test
  void streamBreaksAfterText_keepsThePartialAnswerAndSaysItIsIncomplete() {
    weakEndpoint.server().enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
        .body("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"weak-model\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"content\":\"The first part\"},\"finish_reason\":null}]}\n\n").build());
    open();
    type("Tell me everything");
    awaitIdle();

    assertThat(lastAnswer().findElement(By.className("answer")).getText()).isEqualTo("The first part");
    assertThat(lastAnswer().findElement(By.className("error-line")).getText())
        .isEqualTo("The answer is incomplete: model 'weak-model' broke off its answer");
  }

  @Test
  void keyedServer_asksForTheKeyAndSendsItAsAHeaderNeverInTheAddress() throws Exception {
    serverWith(b -> b.apiKey("page-key-7"));
    weakStreams("Welcome.");
    browser.get("http://127.0.0.1:" + server.port() + "/");
    type("Let me in");
    awaitIdle();
    assertThat(lastAnswer().findElement(By.className("error-line")).getText())
        .startsWith("Error: missing or wrong API key for this routing server").endsWith("(enter the server key in"
            + " the sidebar)");

    WebElement key = browser.findElement(By.id("key"));
    key.sendKeys("page-key-7");
    key.sendKeys(Keys.TAB); // change event
    await().until(d -> !d.findElements(By.cssSelector("#model option")).isEmpty());
    type("Let me in, please");
    awaitIdle();
    assertThat(lastAnswer().findElement(By.className("answer")).getText()).isEqualTo("Welcome.");
    assertThat(browser.getCurrentUrl()).doesNotContain("page-key-7");
    String sent = weakEndpoint.server().takeRequest().getBody().utf8();
    assertThat(sent).as("the failed turn is not sent again").doesNotContain("Let me in\"")
        .contains("Let me in, please");
  }

  @Test
  void phoneWidth_hasNoSidewaysScrollingAndKeepsTheInputUsable() {
    browser.manage().window().setSize(new Dimension(390, 844));
    weakStreams("A fairly long answer that has to wrap several times on a narrow phone screen, with a long word: ",
        "supercalifragilisticexpialidocious-and-then-some-more-characters-to-overflow.");
    open();
    type("Short question");
    awaitIdle();

    JavascriptExecutor js = browser;
    long scrollWidth = (Long) js.executeScript("return document.documentElement.scrollWidth;");
    long viewport = (Long) js.executeScript("return window.innerWidth;");
    assertThat(scrollWidth).isLessThanOrEqualTo(viewport);
    assertThat(browser.findElement(By.id("input")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("send")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("sidebar")).isDisplayed()).as("the sidebar folds away").isFalse();
    browser.findElement(By.id("toggle-chats")).click();
    await().until(ExpectedConditions.visibilityOfElementLocated(By.id("new-chat")));
  }
}
