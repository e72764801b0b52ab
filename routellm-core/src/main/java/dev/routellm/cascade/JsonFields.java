package dev.routellm.cascade;

import dev.routellm.InvalidFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Typed reads of a JSON object's fields, failing with an {@link InvalidFileException} that names the field and says
 * what was expected and what was found.
 */
final class JsonFields {
  private final JsonNode node;
  private final Function<String, InvalidFileException> error;

  /**
   * @param node the object to read
   * @param error makes the exception from a problem ({@code "field 'x' must be ..."}), adding the file and line
   */
  JsonFields(JsonNode node, Function<String, InvalidFileException> error) {
    this.node = node;
    this.error = error;
    if (node == null || !node.isObject()) {
      throw error.apply("expected a JSON object but found " + describe(node));
    }
  }

  InvalidFileException error(String problem) {
    return error.apply(problem);
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  JsonNode get(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw error.apply("field '" + field + "' is required");
    }
    return v;
  }

  /** Rejects fields outside {@code known}, naming the first one (a typo would otherwise be ignored silently). */
  void rejectUnknown(Set<String> known) {
    for (String name : node.propertyNames()) {
      if (!known.contains(name)) {
        throw error.apply("unknown field '" + name + "'; expected some of " + new java.util.TreeSet<>(known));
      }
    }
  }

  String string(String field) {
    JsonNode v = get(field);
    if (!v.isString() || v.asString().isBlank()) {
      throw error.apply("field '" + field + "' must be a non-empty string but was " + describe(v));
    }
    return v.asString();
  }

  int integer(String field) {
    JsonNode v = get(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error.apply("field '" + field + "' must be an integer but was " + describe(v));
    }
    return v.asInt();
  }

  long nonNegativeLong(String field) {
    JsonNode v = get(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw error.apply("field '" + field + "' must be an integer >= 0 but was " + describe(v));
    }
    return v.asLong();
  }

  double number(String field) {
    return finite(field, get(field));
  }

  /** A boolean, also accepting the numbers 0 and 1 (as many data tools write correctness). */
  boolean bool(String field) {
    JsonNode v = get(field);
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isNumber() && (v.doubleValue() == 0.0 || v.doubleValue() == 1.0)) {
      return v.doubleValue() == 1.0;
    }
    throw error.apply("field '" + field + "' must be true or false (or 1 or 0) but was " + describe(v));
  }

  double[] numbers(String field) {
    JsonNode v = get(field);
    if (!v.isArray()) {
      throw error.apply("field '" + field + "' must be an array of numbers but was " + describe(v));
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = finite(field + "[" + i + "]", v.get(i));
    }
    return out;
  }

  List<String> strings(String field) {
    JsonNode v = get(field);
    if (!v.isArray()) {
      throw error.apply("field '" + field + "' must be an array of strings but was " + describe(v));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isString()) {
        throw error.apply("field '" + field + "[" + i + "]' must be a string but was " + describe(e));
      }
      out.add(e.asString());
    }
    return out;
  }

  private double finite(String field, JsonNode v) {
    if (v == null || !v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw error.apply("field '" + field + "' must be a finite number but was " + describe(v));
    }
    return v.doubleValue();
  }

  static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "missing";
    }
    String s = v.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
