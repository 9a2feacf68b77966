package io.sagalog.ingest;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which participant URLs may be registered. The dispatcher POSTs every step, with its input and context, to the URL,
 * so a URL must not point the engine at itself or at what only the engine's machine can reach: loopback
 * ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}), link-local ({@code 169.254.0.0/16}, {@code fe80::/10}, which
 * holds the cloud metadata service {@code 169.254.169.254}), the unspecified address and other metadata addresses are
 * refused unless a CIDR of {@code --participant-allow} covers them ({@code sagalog dev} allows loopback). The node's
 * own API is refused always, and so are credentials in a URL ({@code http://user:token@...}: they would be stored and
 * shown by {@code GET /v1/participants}). Host names other than the ones above are not resolved here (that would block);
 * the dispatcher checks what it connects to.
 */
public final class ParticipantUrls {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NUMERIC_HOST = Pattern.compile("(0x[0-9a-f]+|[0-9]+)(\\.(0x[0-9a-f]+|[0-9]+))*\\.?");
    /** What {@code sagalog dev} allows: loopback. */
    public static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1/128");
    private static final List<Cidr> RESTRICTED = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"),
            Cidr.parse("0.0.0.0/8"), Cidr.parse("::/128"), Cidr.parse("169.254.0.0/16"), Cidr.parse("fe80::/10"),
            Cidr.parse("100.100.100.200/32"), Cidr.parse("fd00:ec2::254/128"));

    private final List<Cidr> allowed;

    private ParticipantUrls(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Nothing restricted is allowed. */
    public static ParticipantUrls strict() {
        return new ParticipantUrls(List.of());
    }

    /**
     * Allows the restricted addresses these CIDRs cover (e.g. {@code 127.0.0.0/8}, {@code 10.1.2.3/32}, {@code ::1/128}).
     *
     * @throws IllegalArgumentException naming a CIDR that is not one
     */
    public static ParticipantUrls allowing(List<String> cidrs) {
        List<Cidr> parsed = new ArrayList<>();
        for (String c : cidrs) {
            parsed.add(Cidr.parse(c.trim()));
        }
        return new ParticipantUrls(parsed);
    }

    /**
     * Why {@code url} may not be registered, or empty when it may.
     *
     * @param field the field name to put in the message, e.g. {@code url}
     * @param ownHost the address this node's API answers on
     * @param ownPort the port this node's API answers on
     */
    public Optional<String> problem(String field, String url, String ownHost, int ownPort) {
        if (url.length() > 2000) {
            return Optional.of(field + ": the URL has " + url.length() + " characters; at most 2000 are allowed");
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of(field + ": '" + url + "' is not a URL (" + e.getReason() + ")");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
            return Optional.of(field + ": '" + url + "' must be an absolute http or https URL with a host");
        }
        if (u.getRawUserInfo() != null) {
            return Optional.of(field + ": credentials in the URL are not allowed (they would be stored and shown by "
                    + "GET /v1/participants); pass them another way, e.g. a reverse proxy that adds them");
        }
        String host = u.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        InetAddress address = null;
        boolean restrictedName = false;
        if (host.equals("localhost") || host.endsWith(".localhost") || host.equals("localhost.localdomain")) {
            address = InetAddress.getLoopbackAddress();
            restrictedName = true;
        } else if (host.equals("metadata") || host.equals("metadata.google.internal") || host.endsWith(".metadata.google.internal")) {
            return Optional.of(field + ": '" + host + "' is a cloud metadata service; it cannot be a participant");
        } else if (IPV4.matcher(host).matches() || host.contains(":")) {
            try {
                address = InetAddress.getByName(host); // a literal: no name lookup
            } catch (UnknownHostException e) {
                return Optional.of(field + ": '" + host + "' is not a valid IP address");
            }
        } else if (NUMERIC_HOST.matcher(host).matches()) {
            return Optional.of(field + ": '" + host + "' is not a valid host; write an IPv4 address as four decimal "
                    + "numbers (a.b.c.d) or use a host name");
        }
        if (port == ownPort && (restrictedName || address != null && (address.isLoopbackAddress()
                || address.isAnyLocalAddress() || address.getHostAddress().equals(ownHost)) || host.equals(ownHost))) {
            return Optional.of(field + ": '" + url + "' is this node's own API; a participant must be another service");
        }
        InetAddress target = address;
        if (target != null && RESTRICTED.stream().anyMatch(c -> c.contains(target))
                && allowed.stream().noneMatch(c -> c.contains(target))) {
            return Optional.of(field + ": '" + host + "' is a loopback, link-local, unspecified or metadata address ("
                    + address.getHostAddress() + "), which the engine's own machine answers; allow it with "
                    + "--participant-allow CIDR (e.g. 127.0.0.1/32), or use an address other machines can reach");
        }
        return Optional.empty();
    }

    /** An address range such as {@code 10.0.0.0/8} or {@code fe80::/10}. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            String[] parts = text.split("/", 2);
            String host = parts[0];
            if (!(IPV4.matcher(host).matches() || host.contains(":"))) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR; write e.g. 127.0.0.1/32 or fe80::/10");
            }
            byte[] network;
            try {
                network = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR; write e.g. 127.0.0.1/32 or fe80::/10");
            }
            int bits;
            try {
                bits = parts.length == 1 ? network.length * 8 : Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR: the prefix length must be a number");
            }
            if (bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR: the prefix length must be 0 to "
                        + network.length * 8);
            }
            return new Cidr(network, bits);
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
