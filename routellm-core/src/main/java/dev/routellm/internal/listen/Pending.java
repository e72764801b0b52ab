package dev.routellm.internal.listen;

import dev.routellm.chat.ChatRequest;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * What a listener noted about a request at its decision, for the request's later events (a failure carries no
 * decision). Entries are held weakly by request, so a decision never followed by a response ({@code Router.route})
 * leaks nothing; requests are compared by value, so two equal requests in flight at once share an entry (their notes
 * are then the later decision's). Thread-safe. Not part of the API (unexported package).
 *
 * @param <T> what is noted
 */
public final class Pending<T> {
  private final Map<ChatRequest, T> notes = Collections.synchronizedMap(new WeakHashMap<>());

  /** Notes {@code value} for {@code request}, replacing an earlier note. */
  public void put(ChatRequest request, T value) {
    notes.put(request, value);
  }

  /** The note for {@code request}, if any, left in place. */
  public Optional<T> peek(ChatRequest request) {
    return Optional.ofNullable(notes.get(request));
  }

  /** Removes and returns the note for {@code request}, if any. */
  public Optional<T> take(ChatRequest request) {
    return Optional.ofNullable(notes.remove(request));
  }
}
