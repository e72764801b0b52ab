package dev.routellm.examples.cli;

import okhttp3.OkHttpClient;

/** Lets tests in other packages use the server's HTTP client settings. */
public final class ServeCommandAccess {
  private ServeCommandAccess() {}

  public static OkHttpClient httpClient(int calls) {
    return ServeCommand.httpClient(calls);
  }
}
