package dev.routellm.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.routellm.cost.Dollars;
import dev.routellm.routing.ModelCall;
import dev.routellm.routing.RoutedResponse;
import dev.routellm.routing.RoutingDecision;
import java.util.List;
import java.util.Objects;

/**
 * The metadata of a routed LangChain4j answer: LangChain4j's own (id, the answering model's name, its token usage and
 * finish reason) and the routing: the {@linkplain #decision() decision}, every {@linkplain #calls() model call} and
 * the request's {@linkplain #cost() cost}. Reach it from an AI Service that returns {@code Result<T>} with {@code
 * RoutingChatModel.routing(result.finalResponse())}. Immutable.
 */
public final class RoutedChatResponseMetadata extends ChatResponseMetadata {
  private final RoutedResponse routed;

  private RoutedChatResponseMetadata(Builder b) {
    super(b);
    this.routed = Objects.requireNonNull(b.routed, "routed");
  }

  /** Which model the router chose, and why. */
  public RoutingDecision decision() {
    return routed.decision();
  }

  /** Every model call made for this answer, failed calls and a cascade's first call included. */
  public List<ModelCall> calls() {
    return routed.calls();
  }

  /** Dollars spent on all calls of this answer. */
  public double cost() {
    return routed.cost();
  }

  /** The router's whole answer. */
  public RoutedResponse routed() {
    return routed;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Builder toBuilder() {
    Builder b = new Builder();
    toBuilder(b);
    return b.routed(routed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoutedChatResponseMetadata m && super.equals(o) && routed.equals(m.routed);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), routed);
  }

  @Override
  public String toString() {
    return "RoutedChatResponseMetadata{id=" + id() + ", modelName=" + modelName() + ", tokenUsage=" + tokenUsage()
        + ", finishReason=" + finishReason() + ", decision=" + decision().reason() + ", calls=" + calls().size()
        + ", cost=" + Dollars.format(cost()) + "}";
  }

  /** Builds the metadata. Not thread-safe. */
  public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
    private RoutedResponse routed;

    private Builder() {}

    /** The routed answer whose decision, calls and cost the metadata carries. Required. */
    public Builder routed(RoutedResponse value) {
      this.routed = Objects.requireNonNull(value, "routed");
      return this;
    }

    @Override
    public RoutedChatResponseMetadata build() {
      return new RoutedChatResponseMetadata(this);
    }
  }
}
