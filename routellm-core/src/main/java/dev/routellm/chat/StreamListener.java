package dev.routellm.chat;

/**
 * Receives the text of a streamed answer as it arrives. Called on the thread that runs the streaming call, in order,
 * never concurrently for one call. An exception thrown here cancels the stream and propagates to the caller.
 */
@FunctionalInterface
public interface StreamListener {
  /** A listener that ignores everything. */
  StreamListener NONE = delta -> {};

  /** The next piece of the answer's text; never {@code null}, never empty. */
  void onText(String delta);
}
