// java.net.http.HttpClient with its defaults (HTTP/2 preferred: over http:// it asks for an h2c upgrade).
// Usage: java JavaHttpClient.java URL [USER_AGENT]; prints the runtime version.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class JavaHttpClient {
  public static void main(String[] args) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(args[0])).GET();
    if (args.length > 1) b.header("User-Agent", args[1]);
    HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding());
    System.out.println(System.getProperty("java.version"));
  }
}
