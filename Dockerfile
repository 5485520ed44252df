# Builds the hindsight binary into a small image. Used by deploy/docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /hindsight ./cmd/hindsight
# The dry run's drafts go here; a volume mounted on it starts owned by the nonroot user.
RUN mkdir -p /state/out

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /hindsight /hindsight
COPY --from=build --chown=65532:65532 /state /var/lib/hindsight
ENV HINDSIGHT_OUTPUT_DIR=/var/lib/hindsight/out
EXPOSE 8080
# No shell in the image: the binary checks its own /readyz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s CMD ["/hindsight", "healthcheck"]
ENTRYPOINT ["/hindsight"]
CMD ["serve"]
