package dev.routellm.examples.cli;

import dev.routellm.cost.Dollars;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code --json} option shared by every subcommand: with it, the command prints exactly one JSON object on stdout
 * and its human-readable text on stderr; without it, the text goes to stdout.
 */
public final class OutputOptions {
  /** Writes numbers as plain decimals: a cost of 1.3e-6 dollars is {@code 0.0000013}, never {@code 1.3E-6}. */
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object on stdout; human text goes to stderr.")
  boolean json;

  /** Whether {@code --json} was given. */
  public boolean json() {
    return json;
  }

  /** Where human-readable text goes. */
  public PrintWriter text() {
    return json ? spec.commandLine().getErr() : spec.commandLine().getOut();
  }

  /** Where warnings go: stderr, always. */
  public PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Prints the JSON result when {@code --json} was given; does nothing otherwise. */
  public void result(Object value) {
    if (json) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(JSON.writeValueAsString(plainNumbers(value)));
      out.flush();
    }
  }

  /**
   * The value with every finite double or float (in maps and lists, at any depth) as the exact decimal of its
   * shortest representation, so that the mapper writes it without an exponent; the numbers' values are unchanged.
   */
  static Object plainNumbers(Object value) {
    if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
      return new BigDecimal(value.toString());
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, plainNumbers(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(plainNumbers(v)));
      return copy;
    }
    return value;
  }

  /** Significant digits of dollar amounts in human-readable text; {@code --json} keeps full values. */
  static final int MONEY_DIGITS = 4;

  /**
   * Dollars for a person to read: a plain decimal to {@link #MONEY_DIGITS} significant digits ({@code $0.03856},
   * {@code $1.574}; {@link Dollars#format(double, int)}), or {@code n/a} when not finite.
   */
  static String money(double dollars) {
    return Double.isFinite(dollars) ? Dollars.format(dollars, MONEY_DIGITS) : "n/a";
  }

  /** The shared JSON mapper. */
  public static ObjectMapper mapper() {
    return JSON;
  }
}
