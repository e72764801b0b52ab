package dev.routellm.examples.programs;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.langchain4j.service.SystemMessage;
import dev.routellm.backend.OpenAiBackend;
import dev.routellm.cost.CostModel;
import dev.routellm.cost.Dollars;
import dev.routellm.langchain4j.RoutedChatResponseMetadata;
import dev.routellm.langchain4j.RoutingChatModel;
import dev.routellm.prediction.WinRatePredictor;
import dev.routellm.routing.Router;

/**
 * A LangChain4j AI Service whose model is a router: short questions go to the cheap model, long ones to the strong
 * model, and the service's tool works with either. Prints each answer with the model that gave it and its cost.
 *
 * <p>Usage: {@code LangChain4jAssistant [STRONG_BASE_URL [WEAK_BASE_URL]]} (default: OpenAI's gpt-4o and
 * gpt-4o-mini, key from {@code OPENAI_API_KEY}).
 */
public final class LangChain4jAssistant {
  private LangChain4jAssistant() {}

  interface Assistant {
    @SystemMessage("You are a concise assistant. Use the calculator for arithmetic.")
    Result<String> chat(String question);
  }

  static final class Calculator {
    @Tool("Multiplies two numbers")
    double multiply(@P(name = "a", value = "first factor") double a, @P(name = "b", value = "second factor") double b) {
      return a * b;
    }
  }

  public static void main(String[] args) {
    String strongUrl = args.length > 0 ? args[0] : "https://api.openai.com/v1";
    String weakUrl = args.length > 1 ? args[1] : "https://api.openai.com/v1";
    try (OpenAiBackend strong = OpenAiBackend.builder().baseUrl(strongUrl).model("gpt-4o").build();
        OpenAiBackend weak = OpenAiBackend.builder().baseUrl(weakUrl).model("gpt-4o-mini").build()) {
      Router router = Router.builder()
          .strong(strong).weak(weak)
          .predictor(WinRatePredictor.of("length", prompt -> prompt.length() > 40 ? 0.9 : 0.1)).threshold(0.5)
          .costModel(CostModel.builder().price("gpt-4o", 2.50, 10.00).price("gpt-4o-mini", 0.15, 0.60).build())
          .build();
      Assistant assistant = AiServices.builder(Assistant.class)
          .chatModel(RoutingChatModel.of(router))
          .tools(new Calculator())
          .build();
      for (String question : new String[] {"Hi! Who are you?",
          "A crate holds 48 boxes of 36 pencils each. How many pencils are in 17 crates?"}) {
        Result<String> answer = assistant.chat(question);
        RoutedChatResponseMetadata routing = RoutingChatModel.routing(answer.finalResponse()).orElseThrow();
        System.out.println(routing.decision().model() + " (" + Dollars.format(routing.cost()) + ", "
            + answer.toolExecutions().size() + " tool call(s)): " + answer.content());
      }
    }
  }
}
