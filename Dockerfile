# Sagalog's image: docker build -t sagalog:0.1.0 .   (docs/deploy.md)
# Stage 1 builds the runnable jar; stage 2 is a JRE 17 with the jar, a class-data archive trained here on that very
# JVM (it is valid only for the JVM and jar it was made with), a non-root user, and `sagalog` as the entrypoint.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -pl app -am -DskipTests package && cp app/target/sagalog.jar /sagalog.jar

FROM eclipse-temurin:17-jre AS runtime
RUN groupadd --system --gid 10001 sagalog \
 && useradd --system --uid 10001 --gid sagalog --home-dir /var/lib/sagalog --shell /usr/sbin/nologin sagalog \
 && mkdir -p /opt/sagalog /var/lib/sagalog /etc/sagalog \
 && chown sagalog:sagalog /var/lib/sagalog
COPY --from=build /sagalog.jar /opt/sagalog/sagalog.jar
COPY deploy/docker/sagalog /usr/local/bin/sagalog
# The training run starts an embedded broker and a node, runs a few hundred transactions and stops; the JVM writes
# the classes it loaded to the archive on exit. Later starts map them instead of loading them from the jar.
RUN chmod 0755 /usr/local/bin/sagalog \
 && java -XX:ArchiveClassesAtExit=/opt/sagalog/sagalog.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
      -jar /opt/sagalog/sagalog.jar train-class-archive --transactions 200 \
 && test -s /opt/sagalog/sagalog.jsa \
 && rm -rf /tmp/*
USER 10001:10001
WORKDIR /var/lib/sagalog
VOLUME /var/lib/sagalog
EXPOSE 8080
ENTRYPOINT ["sagalog"]
CMD ["--help"]
