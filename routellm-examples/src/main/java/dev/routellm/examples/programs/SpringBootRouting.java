package dev.routellm.examples.programs;

import dev.routellm.cost.Dollars;
import dev.routellm.spring.RoutingChatModel;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application whose Spring AI {@link ChatModel} is a router, configured by properties alone (see
 * {@code routellm.*} in the arguments below, or put them in {@code application.properties}): it asks one question
 * through Spring AI's {@link ChatClient} and prints the answer with the routing decision and cost.
 *
 * <p>Usage: {@code SpringBootRouting [--routellm.models[0].base-url=URL --routellm.models[1].base-url=URL ...]};
 * defaults: OpenAI's gpt-4o and gpt-4o-mini with their list prices, key from {@code OPENAI_API_KEY}, the seeded random
 * predictor at threshold 0.5.
 */
@SpringBootApplication
public class SpringBootRouting {
  static final String[] DEFAULTS = {
    "--routellm.models[0].name=gpt-4o", "--routellm.models[0].price=2.50,10.00",
    "--routellm.models[1].name=gpt-4o-mini", "--routellm.models[1].price=0.15,0.60",
    "--routellm.threshold=0.5", "--spring.main.web-application-type=none", "--spring.main.banner-mode=off"
  };

  @Bean
  ApplicationRunner askOnce(ChatModel chatModel) {
    return args -> {
      ChatResponse response = ChatClient.create(chatModel).prompt()
          .user("In one sentence: why route requests between a cheap and a strong model?")
          .call().chatResponse();
      System.out.println(RoutingChatModel.decision(response).orElseThrow().reason() + " -> "
          + response.getMetadata().get(RoutingChatModel.ANSWERED_BY) + " ("
          + Dollars.format(response.getMetadata().get(RoutingChatModel.COST)) + "): "
          + response.getResult().getOutput().getText());
    };
  }

  public static void main(String[] args) {
    String[] all = new String[DEFAULTS.length + args.length];
    System.arraycopy(DEFAULTS, 0, all, 0, DEFAULTS.length);
    System.arraycopy(args, 0, all, DEFAULTS.length, args.length); // later arguments win
    try (ConfigurableApplicationContext context = SpringApplication.run(SpringBootRouting.class, all)) {
      System.out.println("router " + context.getBean(RoutingChatModel.class).router().name() + " done");
    }
  }
}
