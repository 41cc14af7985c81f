(* SPDX-License-Identifier: MIT *)
(* The net bridge through the OCaml binding: two buses linked over TCP on
   the loopback (the kernel picks the port) carry a lossless topic, and
   every refusal of the net calls is Mycelium.Error with the library's
   code. *)

open Mycelium

let einval = 22
let enoent = Errors.enoent
let ebadf = 9
let eaddrinuse = 98

let expect_error code f =
  match f () with
  | _ -> Alcotest.failf "expected Mycelium.Error %d" code
  | exception Error (c, _) -> Alcotest.(check int) "error code" code c

(* Poll until [peer]'s link is up and it subscribed [type_id]. *)
let wait_wants bus peer type_id =
  let deadline = Unix.gettimeofday () +. 20. in
  let rec go () =
    let wants =
      try Bus.net_peer_wants bus ~peer ~type_id
      with Error (c, _) when c = enoent -> false
    in
    if not wants then
      if Unix.gettimeofday () > deadline then
        Alcotest.failf "peer %s never subscribed" peer
      else (
        Thread.delay 0.01;
        go ())
  in
  go ()

let tcp_link () =
  let rx = Bus.create ~name:"ml-net-rx" () and tx = Bus.create ~name:"ml-net-tx" () in
  List.iter
    (fun b -> Bus.topic b ~type_id:0x300 ~policy:Lossless ~depth:16 ~max_size:64 ())
    [ rx; tx ];
  Bus.net_listen rx "tcp:127.0.0.1:0";
  let addr = Bus.net_addr rx in
  Alcotest.(check string) "bound on loopback" "tcp:127.0.0.1:"
    (String.sub addr 0 14);
  Alcotest.(check bool) "port chosen" true
    (int_of_string (String.sub addr 14 (String.length addr - 14)) > 0);
  let sub = Subscriber.create rx ~type_id:0x300 in
  Bus.net_connect tx addr;
  wait_wants tx "ml-net-rx" 0x300;
  Alcotest.(check bool) "other type not wanted" false
    (Bus.net_peer_wants tx ~peer:"ml-net-rx" ~type_id:0x301);
  let pub = Publisher.create ~timeout_ms:10000 tx ~type_id:0x300 in
  let msg i = Bytes.of_string (Printf.sprintf "net-%04d" i) in
  for i = 1 to 100 do
    Publisher.send pub (msg i)
  done;
  for i = 1 to 100 do
    match Subscriber.recv ~timeout_ms:10000 sub with
    | None -> Alcotest.failf "message %d missing" i
    | Some m -> Alcotest.(check bytes) "payload" (msg i) m.Subscriber.payload
  done;
  Bus.close tx;
  Bus.close rx

let bad_addresses () =
  let bus = Bus.create ~name:"ml-net-bad" () in
  List.iter
    (fun a -> expect_error einval (fun () -> Bus.net_listen bus a))
    [ "tcp:localhost:0"; "tcp:127.0.0.1"; "udp:1.2.3.4:5"; ""; "tcp:127.0.0.1:0\000x" ];
  expect_error einval (fun () -> Bus.net_connect bus "tcp:127.0.0.1:99999");
  expect_error einval (fun () -> Bus.net_peer_wants bus ~peer:"x\000" ~type_id:1);
  Bus.close bus;
  let bad = Bus.create ~name:"bad name" () in
  expect_error einval (fun () -> Bus.net_listen bad "tcp:127.0.0.1:0");
  Bus.close bad

let port_in_use () =
  let a = Bus.create ~name:"ml-net-a" () and b = Bus.create ~name:"ml-net-b" () in
  Bus.net_listen a "tcp:127.0.0.1:0";
  expect_error eaddrinuse (fun () -> Bus.net_listen b (Bus.net_addr a));
  Bus.close a;
  Bus.close b

let no_listener_no_peer () =
  let bus = Bus.create ~name:"ml-net-none" () in
  expect_error enoent (fun () -> Bus.net_addr bus);
  expect_error enoent (fun () -> Bus.net_peer_wants bus ~peer:"nobody" ~type_id:1);
  Bus.net_listen bus "tcp:127.0.0.1:0";
  expect_error enoent (fun () -> Bus.net_peer_wants bus ~peer:"nobody" ~type_id:1);
  expect_error einval (fun () -> Bus.net_peer_wants bus ~peer:"nobody" ~type_id:0x10000);
  Bus.close bus

let closed_bus () =
  let bus = Bus.create ~name:"ml-net-closed" () in
  Bus.close bus;
  expect_error ebadf (fun () -> Bus.net_listen bus "tcp:127.0.0.1:0");
  expect_error ebadf (fun () -> Bus.net_connect bus "tcp:127.0.0.1:1");
  expect_error ebadf (fun () -> Bus.net_addr bus);
  expect_error ebadf (fun () -> Bus.net_peer_wants bus ~peer:"x" ~type_id:1)

let () =
  Alcotest.run "mycelium-net"
    [
      ( "net",
        [
          Alcotest.test_case "tcp link carries messages" `Quick tcp_link;
          Alcotest.test_case "bad addresses" `Quick bad_addresses;
          Alcotest.test_case "port in use" `Quick port_in_use;
          Alcotest.test_case "no listener no peer" `Quick no_listener_no_peer;
          Alcotest.test_case "closed bus" `Quick closed_bus;
        ] );
    ]
