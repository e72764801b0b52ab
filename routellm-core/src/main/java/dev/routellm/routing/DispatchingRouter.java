package dev.routellm.routing;

import dev.routellm.chat.ChatRequest;
import dev.routellm.cost.CostSnapshot;
import java.util.concurrent.Executor;

/** What every router kind built by {@link Router.Builder} shares: its dispatcher, threshold, executor and name. */
abstract class DispatchingRouter implements Router {
  final Dispatcher dispatcher;
  final double threshold;
  final Executor executor;
  final String name;

  DispatchingRouter(Router.Builder b, String defaultName) {
    this.dispatcher = new Dispatcher(b);
    this.threshold = b.threshold;
    this.executor = b.executor;
    this.name = b.name != null ? b.name : defaultName;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final double threshold() {
    return threshold;
  }

  @Override
  public final String strongModel() {
    return dispatcher.model(Tier.STRONG);
  }

  @Override
  public final String weakModel() {
    return dispatcher.model(Tier.WEAK);
  }

  /** A blocking call is a stream without a listener. */
  @Override
  public final RoutedResponse chat(ChatRequest request) {
    return stream(request, null);
  }

  @Override
  public final CostSnapshot costs() {
    return dispatcher.costs();
  }
}
