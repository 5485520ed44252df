# Builds the hindsight binary into a small image. Used by deploy/docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /hindsight ./cmd/hindsight

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /hindsight /hindsight
EXPOSE 8080
ENTRYPOINT ["/hindsight"]
CMD ["serve"]
